package androidx.browser.customtabs;
public final class CustomTabColorSchemeParams {
    public static final class Builder {
        public Builder() {}
        public Builder setToolbarColor(int color) { return this; }
        public CustomTabColorSchemeParams build() { return null; }
    }
}
