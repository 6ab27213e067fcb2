// STAND-IN: OkHttp 4's okhttp3.CertificatePinner (Kotlin; internal check$okhttp). Debian packages
// OkHttp 3 under the same name, so UnpinApp loads this one in a class loader of its own, as an app's
// own loader would; the unpin agent looks in every class loader.
package okhttp3;

import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import kotlin.jvm.functions.Function0;

public final class CertificatePinner {
    private final String pin;

    public CertificatePinner(String pin) {
        this.pin = pin;
    }

    public final void check$okhttp(String hostname, Function0<List<Certificate>> cleanedPeerCertificatesFn) throws SSLPeerUnverifiedException {
        try {
            for (Certificate c : cleanedPeerCertificatesFn.invoke()) {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
                if (("sha256/" + Base64.getEncoder().encodeToString(d)).equals(pin)) return;
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        throw new SSLPeerUnverifiedException("Certificate pinning failure!\n  Peer certificate chain: ... host " + hostname);
    }
}
