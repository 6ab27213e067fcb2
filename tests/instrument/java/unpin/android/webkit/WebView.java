// STAND-IN: the real class is Android's WebView (the page load itself is done by UnpinApp); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package android.webkit;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class WebView {
    public WebViewClient client = new WebViewClient();

    public void setWebViewClient(WebViewClient client) {
        this.client = client;
    }
}
