// Test app for the unpin agent's mechanisms (tests/instrument/test_unpin_mechanisms.py): one JVM,
// one command per line on stdin, "P/UnpinApp: message" lines on stdout.
//
//   run NAME   make one HTTPS request to the origin through the proxy (CONNECT), pinned by mechanism
//              NAME (the rows of agents/src/java/mechanisms.ts); logs "run NAME ok CODE" or
//              "run NAME failed: ERROR". The request path is /pin/NAME.
//   stop       exit
//
// The JVM trusts the proxy's CA (-Djavax.net.ssl.trustStore), as a phone with the harness CA
// installed does, so TLS itself succeeds; the pin (-Dapp.pin, the origin's key) then fails on the
// proxy's certificate unless the agent defeats the mechanism. Android-only classes are stand-ins
// with the real names and signatures (unpin/...; see each file's comment).
import harness.testapp.Pins;
import java.io.*;
import java.lang.reflect.InvocationTargetException;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.*;
import java.util.*;
import java.util.concurrent.Callable;
import javax.net.ssl.*;

public class UnpinApp {
    static String host;
    static int port;
    static String proxyHost;
    static int proxyPort;
    static final Map<String, Callable<String>> MECHANISMS = new LinkedHashMap<>();

    interface Check {
        void run(X509Certificate[] chain, SSLSession session) throws Exception;
    }

    static final class Conn {
        Socket raw;
        SSLSocket tls;
    }

    static Conn open(SSLSocketFactory factory) throws IOException {
        Conn c = new Conn();
        c.raw = new Socket(proxyHost, proxyPort);
        c.raw.setSoTimeout(15000);
        OutputStream out = c.raw.getOutputStream();
        out.write(("CONNECT " + host + ":" + port + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readHead(c.raw.getInputStream());
        if (!status.contains(" 200")) throw new IOException("proxy refused CONNECT: " + status);
        c.tls = (SSLSocket) factory.createSocket(c.raw, host, port, true);
        c.tls.startHandshake();
        return c;
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new EOFException("connection closed in the response head");
            head.append((char) b);
        }
        return head.substring(0, head.indexOf("\r\n"));
    }

    static String finish(Conn c, String name) throws IOException {
        try {
            OutputStream out = c.tls.getOutputStream();
            out.write(("GET /pin/" + name + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readHead(c.tls.getInputStream()).split(" ")[1];
        } finally {
            c.raw.close();  // not the TLS socket's close, which may wait for the peer's close_notify
        }
    }

    static X509Certificate[] chainOf(Conn c) throws SSLPeerUnverifiedException {
        Certificate[] certs = c.tls.getSession().getPeerCertificates();
        X509Certificate[] out = new X509Certificate[certs.length];
        for (int i = 0; i < certs.length; i++) out[i] = (X509Certificate) certs[i];
        return out;
    }

    /** A request on the default (proxy-trusting) TLS stack, with the app's own check on the chain. */
    static void viaChain(String name, Check check) {
        MECHANISMS.put(name, () -> {
            Conn c = open((SSLSocketFactory) SSLSocketFactory.getDefault());
            X509Certificate[] chain = chainOf(c);
            Pins.current = List.of(chain);
            try {
                check.run(chain, c.tls.getSession());
            } catch (Exception e) {
                c.raw.close();
                throw e;
            }
            return finish(c, name);
        });
    }

    static void notVerified(boolean ok, String what) throws SSLPeerUnverifiedException {
        if (!ok) throw new SSLPeerUnverifiedException(what + " rejected " + host);
    }

    static okhttp3.OkHttpClient.Builder okhttp() {
        return new okhttp3.OkHttpClient.Builder()
            .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(proxyHost, proxyPort)))
            .connectionPool(new okhttp3.ConnectionPool(0, 1, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    static String okhttpGet(okhttp3.OkHttpClient client, String name) throws IOException {
        okhttp3.Request request = new okhttp3.Request.Builder().url("https://" + host + ":" + port + "/pin/" + name).build();
        try (okhttp3.Response r = client.newCall(request).execute()) {
            return String.valueOf(r.code());
        }
    }

    static SSLSocketFactory originOnlyFactory() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = new FileInputStream(System.getProperty("app.originCa"))) {
            ks.setCertificateEntry("origin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    static void define() throws Exception {
        MECHANISMS.put("okhttp3-pinner", () -> okhttpGet(okhttp().certificatePinner(
            new okhttp3.CertificatePinner.Builder().add(host, Pins.PIN).build()).build(), "okhttp3-pinner"));
        ClassLoader okhttp4 = new URLClassLoader(new URL[] {new File(System.getProperty("app.okhttp4")).toURI().toURL()},
            ClassLoader.getPlatformClassLoader());
        viaChain("okhttp4-pinner", (chain, s) -> {
            Class<?> pinner = okhttp4.loadClass("okhttp3.CertificatePinner");
            Class<?> fn0 = okhttp4.loadClass("kotlin.jvm.functions.Function0");
            Object certs = java.lang.reflect.Proxy.newProxyInstance(okhttp4, new Class<?>[] {fn0},
                (proxy, method, args) -> method.getName().equals("invoke") ? Arrays.asList((Certificate[]) chain) : null);
            pinner.getMethod("check$okhttp", String.class, fn0).invoke(pinner.getConstructor(String.class).newInstance(Pins.PIN), host, certs);
        });
        viaChain("okhttp-android-pinner", (chain, s) -> new com.android.okhttp.CertificatePinner().check(host, Arrays.asList((Certificate[]) chain)));
        viaChain("okhttp2-pinner", (chain, s) -> new com.squareup.okhttp.CertificatePinner().check(host, Arrays.asList((Certificate[]) chain)));
        viaChain("okhttp2-hostname-verifier", (chain, s) ->
            notVerified(new com.squareup.okhttp.internal.tls.OkHostnameVerifier().verify(host, s), "OkHostnameVerifier"));
        viaChain("okhttp-android-hostname-verifier", (chain, s) ->
            notVerified(new com.android.okhttp.internal.tls.OkHostnameVerifier().verify(host, s), "OkHostnameVerifier"));
        MECHANISMS.put("okhttp3-custom-hostname-verifier", () -> okhttpGet(okhttp()
            .hostnameVerifier(new com.example.pinning.OkPinnedHostnameVerifier()).build(), "okhttp3-custom-hostname-verifier"));
        MECHANISMS.put("jdk-trust-manager", () -> finish(open(originOnlyFactory()), "jdk-trust-manager"));
        viaChain("conscrypt-check-server-trusted", (chain, s) ->
            new com.android.org.conscrypt.TrustManagerImpl().checkServerTrusted(chain, "RSA", host));
        viaChain("conscrypt-verify-chain", (chain, s) -> new com.android.org.conscrypt.TrustManagerImpl()
            .verifyChain(new ArrayList<>(List.of(chain)), new ArrayList<>(), host, false, null, null));
        viaChain("conscrypt-check-trusted-recursive", (chain, s) -> new com.android.org.conscrypt.TrustManagerImpl()
            .checkTrustedRecursive(chain, null, null, host, false, new ArrayList<>(), new ArrayList<>(), new HashSet<>()));
        viaChain("conscrypt-unbundled-verify-chain", (chain, s) -> new org.conscrypt.TrustManagerImpl()
            .verifyChain(new ArrayList<>(List.of(chain)), new ArrayList<>(), host, false, null, null));
        viaChain("conscrypt-cert-pin-manager", (chain, s) ->
            notVerified(new com.android.org.conscrypt.CertPinManager().isChainValid(host, List.of(chain)), "CertPinManager"));
        viaChain("conscrypt-socket-verify-chain", (chain, s) -> {
            byte[][] der = new byte[chain.length][];
            for (int i = 0; i < chain.length; i++) der[i] = chain[i].getEncoded();
            new com.android.org.conscrypt.ConscryptFileDescriptorSocket(host).verifyCertificateChain(der, "RSA");
        });
        viaChain("nsc-check-pins", (chain, s) -> new android.security.net.config.NetworkSecurityTrustManager().checkPins(List.of(chain)));
        viaChain("nsc-root-trust-manager", (chain, s) -> new android.security.net.config.RootTrustManager().checkServerTrusted(chain, "RSA", host));
        viaChain("x509-trust-manager-extensions", (chain, s) -> new android.net.http.X509TrustManagerExtensions().checkServerTrusted(chain, "RSA", host));
        MECHANISMS.put("sslcontext-custom-trust-manager", () -> {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new com.example.pinning.PinnedTrustManager()}, null);
            return finish(open(ctx.getSocketFactory()), "sslcontext-custom-trust-manager");
        });
        viaChain("https-default-hostname-verifier", (chain, s) -> {
            HttpsURLConnection.setDefaultHostnameVerifier(new com.example.pinning.DefaultPinnedHostnameVerifier());
            notVerified(HttpsURLConnection.getDefaultHostnameVerifier().verify(host, s), "default HostnameVerifier");
        });
        viaChain("https-hostname-verifier", (chain, s) -> {
            HttpsURLConnection c = (HttpsURLConnection) new URL("https://" + host + ":" + port + "/").openConnection();
            c.setHostnameVerifier(new com.example.pinning.PinnedHostnameVerifier());
            notVerified(c.getHostnameVerifier().verify(host, s), "HostnameVerifier");
        });
        viaChain("apache-abstract-verifier", (chain, s) ->
            new org.apache.http.conn.ssl.StrictHostnameVerifier().verify(host, new String[] {host}, new String[] {host}, false));
        viaChain("boye-abstract-verifier", (chain, s) ->
            new ch.boye.httpclientandroidlib.conn.ssl.StrictHostnameVerifier().verify(host, new String[] {host}, new String[] {host}, false));
        viaChain("trustkit-trust-manager", (chain, s) -> new com.datatheorem.android.trustkit.pinning.PinningTrustManager().checkServerTrusted(chain, "RSA"));
        viaChain("trustkit-hostname-verifier", (chain, s) ->
            notVerified(new com.datatheorem.android.trustkit.pinning.OkHostnameVerifier().verify(host, s), "TrustKit"));
        viaChain("appcelerator-trust-manager", (chain, s) -> new appcelerator.https.PinningTrustManager().checkServerTrusted(chain, "RSA"));
        viaChain("fabric-trust-manager", (chain, s) -> new io.fabric.sdk.android.services.network.PinningTrustManager().checkServerTrusted(chain, "RSA"));
        viaChain("cwac-netsecurity-cert-pin-manager", (chain, s) ->
            notVerified(new com.commonsware.cwac.netsecurity.conscrypt.CertPinManager().isChainValid(host, List.of(chain)), "CWAC CertPinManager"));
        viaChain("worklight-hostname-verifier", (chain, s) -> notVerified(
            new com.worklight.wlclient.certificatepinning.HostNameVerifierWithCertificatePinning().verify(host, s), "Worklight"));
        viaChain("webview-ssl-error", (chain, s) -> {
            if (Pins.matches(List.of(chain))) return;
            android.webkit.WebView view = new android.webkit.WebView();
            android.webkit.SslErrorHandler handler = new android.webkit.SslErrorHandler();
            android.net.http.SslError error = new android.net.http.SslError(3, chain[0], "https://" + host + ":" + port + "/pin/webview-ssl-error");
            view.client.onReceivedSslError(view, handler, error);
            if (!Boolean.TRUE.equals(handler.decision)) throw new SSLException("WebView load cancelled: " + error);
        });
        viaChain("cronet-public-key-pins", (chain, s) -> {
            byte[] pin = Base64.getDecoder().decode(Pins.PIN.substring("sha256/".length()));
            org.chromium.net.CronetEngine engine = new org.chromium.net.CronetEngine.Builder()
                .addPublicKeyPins(host, Set.of(pin), false, new Date(System.currentTimeMillis() + 86_400_000L)).build();
            Set<byte[]> pins = engine.pins.get(host);
            if (pins != null && !Pins.matches(List.of(chain))) throw new SSLException("Cronet: public key pin mismatch for " + host);
        });
    }

    public static void main(String[] args) throws Exception {
        URI origin = URI.create(System.getProperty("app.origin"));
        host = origin.getHost();
        port = origin.getPort();
        proxyHost = System.getProperty("https.proxyHost");
        proxyPort = Integer.parseInt(System.getProperty("https.proxyPort"));
        define();
        log("I", "ready " + String.join(",", MECHANISMS.keySet()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split(" ", 2);
            if (parts[0].equals("stop")) return;
            if (!parts[0].equals("run") || parts.length < 2 || !MECHANISMS.containsKey(parts[1])) {
                log("W", "unknown command " + line);
                continue;
            }
            try {
                log("I", "run " + parts[1] + " ok " + MECHANISMS.get(parts[1]).call());
            } catch (Throwable e) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                log("E", "run " + parts[1] + " failed: " + String.valueOf(cause).replace('\n', ' '));
            }
        }
    }

    static void log(String priority, String message) {
        System.out.println(priority + "/UnpinApp: " + message);
        System.out.flush();
    }
}
