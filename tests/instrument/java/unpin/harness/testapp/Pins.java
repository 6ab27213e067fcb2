// Test helper (not a stand-in): the pin every pinned check in UnpinApp uses, and the chain the
// app is checking right now (for stand-ins whose real signature carries no chain).
package harness.testapp;

import java.security.MessageDigest;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public final class Pins {
    public static final String PIN = System.getProperty("app.pin");
    public static volatile List<X509Certificate> current = List.of();

    public static String pinOf(Certificate c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
            return "sha256/" + Base64.getEncoder().encodeToString(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean matches(List<? extends Certificate> chain) {
        for (Certificate c : chain) if (pinOf(c).equals(PIN)) return true;
        return false;
    }

    public static boolean matches(SSLSession session) {
        try {
            return matches(Arrays.asList(session.getPeerCertificates()));
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    public static void check(List<? extends Certificate> chain) throws CertificateException {
        if (!matches(chain)) throw new CertificateException("Pin verification failed: no certificate in the chain matches " + PIN);
    }

    public static void check(Certificate[] chain) throws CertificateException {
        check(Arrays.asList(chain));
    }

    public static List<X509Certificate> checked(X509Certificate[] chain) throws CertificateException {
        check(chain);
        return new ArrayList<>(Arrays.asList(chain));
    }
}
