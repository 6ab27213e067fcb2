// STAND-IN: the real class is Android's X509TrustManagerExtensions; it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package android.net.http;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class X509TrustManagerExtensions {
    public List<X509Certificate> checkServerTrusted(X509Certificate[] chain, String authType, String host) throws CertificateException {
        return Pins.checked(chain);
    }
}
