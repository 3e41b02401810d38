package androidx.webkit;

/** STAND-IN for androidx.webkit.ScriptHandler (see {@link WebViewFeature}). */
public interface ScriptHandler {
    void remove();
}
