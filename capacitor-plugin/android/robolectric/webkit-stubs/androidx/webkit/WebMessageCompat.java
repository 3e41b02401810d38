package androidx.webkit;

/** STAND-IN for androidx.webkit.WebMessageCompat (see {@link WebViewFeature}): the member Capacitor uses. */
public class WebMessageCompat {
    private final String data;

    public WebMessageCompat(String data) {
        this.data = data;
    }

    public String getData() {
        return data;
    }
}
