package vapp;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/** Builds a PKCS12 trust store from PEM/DER certificate files:
 *  {@code java vapp.TrustStoreTool OUT.p12 PASSWORD FILE...}. Unreadable files are skipped. */
public final class TrustStoreTool {
    public static void main(String[] args) throws Exception {
        char[] password = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, password);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        int n = 0;
        for (int a = 2; a < args.length; a++) {
            try (InputStream in = new FileInputStream(args[a])) {
                for (Certificate c : cf.generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + (n++), c);
                }
            } catch (Exception e) {
                System.err.println("skipped " + args[a] + ": " + e);
            }
        }
        try (OutputStream out = new FileOutputStream(args[0])) {
            ks.store(out, password);
        }
        System.out.println(n);
    }
}
