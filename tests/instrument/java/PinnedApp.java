// Test app for the instrument layer: a long-running JVM process shaped like the virtual vendor
// apps (reads one command per line on stdin, logs "P/Tag: message" lines on stdout).
//
// It talks to its origin through the proxy given in -Dhttps.proxyHost/Port with OkHttp 3 and a
// CertificatePinner pinning the origin's key, so without the unpin agent every request through
// the intercepting proxy fails. Commands:
//   fetch            GET  ORIGIN/ping on a new connection (so the pin is checked each time)
//   encrypt TEXT     AES-CBC-encrypt TEXT, log the truth (plaintext/key/iv hex), POST it to ORIGIN/telemetry
//   search TERM      the app's search, as the UI would run it (Search.run)
//   busy             start two background threads: one fetching in a loop, one encrypting in a loop
//                    (Cipher.init/doFinal on every turn), so an agent detaches while calls are in flight
//   status           log how many loop turns ran so far ("status ok fetches=N encrypts=M")
//   stop             exit
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.CertificatePinner;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

public class PinnedApp {
    static OkHttpClient client;
    static String origin;

    public static void main(String[] args) throws Exception {
        origin = System.getProperty("app.origin");
        String host = System.getProperty("app.pinHost");
        String pin = System.getProperty("app.pin");
        Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(
            System.getProperty("https.proxyHost"), Integer.parseInt(System.getProperty("https.proxyPort"))));
        client = new OkHttpClient.Builder()
            .proxy(proxy)
            .certificatePinner(new CertificatePinner.Builder().add(host, pin).build())
            .build();
        Search controller = new Search();
        log("I", "ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split(" ", 2);
            String arg = parts.length > 1 ? parts[1] : "";
            try {
                switch (parts[0]) {
                    case "fetch": client.connectionPool().evictAll(); log("I", "fetch ok " + get("/ping")); break;
                    case "encrypt": encryptAndSend(arg); break;
                    case "search": log("I", "search ok " + controller.run(arg)); break;
                    case "busy": startBusy(); log("I", "busy ok"); break;
                    case "status": log("I", "status ok fetches=" + fetches.get() + " encrypts=" + encrypts.get()); break;
                    case "stop": System.exit(0); return;  // threads an agent or OkHttp left must not keep the JVM
                    default: log("W", "unknown command " + parts[0]);
                }
            } catch (Exception e) {
                log("E", parts[0] + " failed: " + e);
            }
        }
    }

    static final java.util.concurrent.atomic.AtomicLong fetches = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong encrypts = new java.util.concurrent.atomic.AtomicLong();

    static void startBusy() {
        // no idle connections: every turn opens a new one, so the pin is checked each time (closing
        // happens on the pool's own thread; a JDK TLS socket's close can wait for the peer)
        OkHttpClient busyClient = client.newBuilder()
            .connectionPool(new okhttp3.ConnectionPool(0, 1, java.util.concurrent.TimeUnit.MILLISECONDS)).build();
        Thread fetcher = new Thread(() -> {
            while (true) {
                try {
                    try (Response r = busyClient.newCall(new Request.Builder().url(origin + "/ping").build()).execute()) {
                        r.body().string();
                    }
                } catch (Exception e) {
                    // pinning failures are expected while no agent is attached
                }
                fetches.incrementAndGet();
            }
        }, "busy-fetch");
        Thread encrypter = new Thread(() -> {
            byte[] key = new byte[16];
            byte[] iv = new byte[16];
            byte[] plain = "busy loop plaintext".getBytes(StandardCharsets.UTF_8);
            while (true) {
                try {
                    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
                    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
                    cipher.doFinal(plain);
                } catch (Exception e) {
                    log("E", "busy encrypt failed: " + e);
                }
                encrypts.incrementAndGet();
                try {
                    Thread.sleep(1);  // busy, but leaves the fetch loop some CPU on a 2-core machine
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "busy-encrypt");
        fetcher.setDaemon(true);
        encrypter.setDaemon(true);
        fetcher.start();
        encrypter.start();
    }

    static void log(String priority, String message) {
        System.out.println(priority + "/PinnedApp: " + message);
        System.out.flush();
    }

    static String get(String path) throws Exception {
        try (Response r = client.newCall(new Request.Builder().url(origin + path).build()).execute()) {
            return r.code() + " " + r.body().string();
        }
    }

    static void encryptAndSend(String text) throws Exception {
        byte[] plain = text.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[16];
        byte[] iv = new byte[16];
        SecureRandom random = new SecureRandom();
        random.nextBytes(key);
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] sealed = cipher.doFinal(plain);
        log("I", "encrypt plaintext=" + hex(plain) + " key=" + hex(key) + " iv=" + hex(iv) + " ciphertext=" + hex(sealed));
        RequestBody body = RequestBody.create(MediaType.get("application/octet-stream"), sealed);
        try (Response r = client.newCall(new Request.Builder().url(origin + "/telemetry").post(body).build()).execute()) {
            log("I", "encrypt sent " + r.code());
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02x", b));
        return sb.toString();
    }

    /** Static entry point a trigger map can name: what the app's search box ends up calling. */
    public static String search(String term) throws Exception {
        return new Search().run(term);
    }
}

class Search {
    int count;

    /** Instance method a trigger map can name with "kind": "instance" (found with Java.choose). */
    public String run(String term) throws Exception {
        count++;
        String q = java.net.URLEncoder.encode(term, StandardCharsets.UTF_8);
        return PinnedApp.get("/search?q=" + q);
    }
}
