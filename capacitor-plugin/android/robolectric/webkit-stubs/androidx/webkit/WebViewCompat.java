package androidx.webkit;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.net.Uri;
import android.webkit.WebView;
import java.util.Set;

/** STAND-IN for androidx.webkit.WebViewCompat (see {@link WebViewFeature}): the members Capacitor uses. */
public class WebViewCompat {
    private WebViewCompat() {}

    /** As the real class on API 26+: the framework's answer. */
    public static PackageInfo getCurrentWebViewPackage(Context context) {
        return WebView.getCurrentWebViewPackage();
    }

    /** As the real class when the feature is unsupported. */
    public static void addWebMessageListener(
        WebView webView,
        String jsObjectName,
        Set<String> allowedOriginRules,
        WebMessageListener listener
    ) {
        throw new UnsupportedOperationException("This method is not supported by the current version of the framework and the current WebView APK");
    }

    /** As the real class when the feature is unsupported. */
    public static ScriptHandler addDocumentStartJavaScript(WebView webView, String script, Set<String> allowedOriginRules) {
        throw new UnsupportedOperationException("This method is not supported by the current version of the framework and the current WebView APK");
    }

    public interface WebMessageListener {
        void onPostMessage(WebView view, WebMessageCompat message, Uri sourceOrigin, boolean isMainFrame, JavaScriptReplyProxy replyProxy);
    }
}
