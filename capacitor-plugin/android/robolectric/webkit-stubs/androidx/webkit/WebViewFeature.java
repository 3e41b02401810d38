package androidx.webkit;

/**
 * STAND-IN for androidx.webkit:webkit (not served by the registry this project builds from), with only what
 * Capacitor's sources use. No feature is reported as supported, which is what the real class answers for a WebView
 * without them: Capacitor then takes its documented fallback (the `androidBridge` JavaScript interface and injected
 * scripts), the path the Robolectric suite drives. The real library is used by every Gradle build of an app.
 */
public class WebViewFeature {
    public static final String WEB_MESSAGE_LISTENER = "WEB_MESSAGE_LISTENER";
    public static final String DOCUMENT_START_SCRIPT = "DOCUMENT_START_SCRIPT";

    private WebViewFeature() {}

    public static boolean isFeatureSupported(String feature) {
        return false;
    }
}
