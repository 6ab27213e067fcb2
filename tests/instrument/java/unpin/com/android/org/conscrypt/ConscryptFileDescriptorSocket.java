// STAND-IN: the real class is Conscrypt's socket (an SSLSocket there; a plain class here, same method); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package com.android.org.conscrypt;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class ConscryptFileDescriptorSocket {
    private final String hostname;

    public ConscryptFileDescriptorSocket(String hostname) {
        this.hostname = hostname;
    }

    public String getHostname() {
        return hostname;
    }

    public void verifyCertificateChain(byte[][] certChain, String authMethod) throws CertificateException {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        List<Certificate> chain = new ArrayList<>();
        for (byte[] der : certChain) chain.add(f.generateCertificate(new java.io.ByteArrayInputStream(der)));
        Pins.check(chain);
    }
}
