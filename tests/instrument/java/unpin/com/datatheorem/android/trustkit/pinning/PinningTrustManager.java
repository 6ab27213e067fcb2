// STAND-IN: the real class is TrustKit for Android; it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package com.datatheorem.android.trustkit.pinning;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class PinningTrustManager implements X509TrustManager {
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        Pins.check(chain);
    }

    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("no client auth");
    }

    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
