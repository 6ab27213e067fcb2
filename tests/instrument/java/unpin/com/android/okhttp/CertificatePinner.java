// STAND-IN: the real class is Android's bundled OkHttp (com.android.okhttp); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package com.android.okhttp;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public final class CertificatePinner {
    public void check(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        if (!Pins.matches(peerCertificates)) throw new SSLPeerUnverifiedException("Certificate pinning failure! host " + hostname);
    }
}
