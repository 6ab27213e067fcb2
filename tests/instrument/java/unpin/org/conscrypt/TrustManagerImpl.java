// STAND-IN: the real class is unbundled Conscrypt (org.conscrypt, shipped inside apps); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package org.conscrypt;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public final class TrustManagerImpl {
    public List<X509Certificate> checkServerTrusted(X509Certificate[] chain, String authType, String hostname) throws CertificateException {
        return Pins.checked(chain);
    }

    public List<X509Certificate> verifyChain(List<X509Certificate> untrustedChain, List<TrustAnchor> trustAnchorChain,
            String host, boolean clientAuth, byte[] ocspData, byte[] tlsSctData) throws CertificateException {
        Pins.check(untrustedChain);
        return untrustedChain;
    }

    public List<X509Certificate> checkTrustedRecursive(X509Certificate[] certs, byte[] ocspData, byte[] tlsSctData,
            String host, boolean clientAuth, ArrayList<X509Certificate> untrustedChain,
            ArrayList<TrustAnchor> trustAnchorChain, Set<X509Certificate> used) throws CertificateException {
        return Pins.checked(certs);
    }
}
