// The app's own class (not a stand-in): apps install such objects; the agent learns their class.
package com.example.pinning;

import harness.testapp.Pins;
import java.security.cert.*;
import javax.net.ssl.*;

public class PinnedTrustManager implements X509TrustManager {
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
