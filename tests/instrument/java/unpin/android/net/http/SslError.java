// STAND-IN: the real class is Android's SslError; it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package android.net.http;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class SslError {
    private final String url;
    private final X509Certificate certificate;

    public SslError(int error, X509Certificate certificate, String url) {
        this.url = url;
        this.certificate = certificate;
    }

    public String getUrl() {
        return url;
    }

    public String toString() {
        return "primary error: 3 (SSL_UNTRUSTED) certificate: " + certificate.getSubjectX500Principal() + " on URL: " + url;
    }
}
