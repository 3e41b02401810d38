package androidx.webkit;

/** STAND-IN for androidx.webkit.JavaScriptReplyProxy (see {@link WebViewFeature}): the member Capacitor uses. */
public abstract class JavaScriptReplyProxy {
    public abstract void postMessage(String message);
}
