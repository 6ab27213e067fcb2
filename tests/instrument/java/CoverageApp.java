// Test app for interception coverage (tests/instrument/test_coverage.py): a JVM app that, on "go",
// makes one HTTP call through the proxy (-Dapp.proxy=HOST:PORT), one direct TCP call to the origin
// (-Dapp.origin=HOST:PORT, ignoring the proxy) and sends one UDP datagram to the origin host's port
// 443 (the first packet an HTTP/3 client sends), logging each outcome.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;

public class CoverageApp {
    public static void main(String[] args) throws Exception {
        String[] proxy = System.getProperty("app.proxy").split(":");
        String[] origin = System.getProperty("app.origin").split(":");
        String host = origin[0];
        int port = Integer.parseInt(origin[1]);
        log("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) return;
        Proxy via = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(proxy[0], Integer.parseInt(proxy[1])));
        HttpURLConnection c = (HttpURLConnection) new URL("http://" + host + ":" + port + "/coverage/proxied").openConnection(via);
        log("proxied " + c.getResponseCode());
        c.getInputStream().readAllBytes();
        try (Socket s = new Socket(host, port)) {
            s.getOutputStream().write(("GET /coverage/direct HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            log("direct " + new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine());
        }
        try (DatagramSocket u = new DatagramSocket()) {
            byte[] quic = "\u00c0quic-initial".getBytes(StandardCharsets.ISO_8859_1);
            u.send(new DatagramPacket(quic, quic.length, InetAddress.getByName(host), 443));
            log("udp sent");
        } catch (IOException e) {
            log("udp blocked " + e.getMessage());
        }
        in.readLine();
    }

    static void log(String message) {
        System.out.println(message);
        System.out.flush();
    }
}
