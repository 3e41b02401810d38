package androidx.browser.customtabs;
public final class CustomTabsIntent {
    public static final int SHARE_STATE_OFF = 2;
    public void launchUrl(android.content.Context context, android.net.Uri url) {}
    public static final class Builder {
        public Builder() {}
        public Builder setShareState(int shareState) { return this; }
        public Builder setShowTitle(boolean showTitle) { return this; }
        public Builder setDefaultColorSchemeParams(CustomTabColorSchemeParams params) { return this; }
        public CustomTabsIntent build() { return null; }
    }
}
