package com.vendor.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Plain HTTPS calls (HttpsURLConnection: system trust store, system proxy settings). */
public final class Http {
    private static final int TIMEOUT_MS = 8000;

    private Http() {}

    public static String get(String url) throws IOException {
        return call("GET", url, null, null);
    }

    public static String post(String url, String contentType, byte[] body) throws IOException {
        return call("POST", url, contentType, body);
    }

    private static String call(String method, String url, String contentType, byte[] body) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection();
        conn.setConnectTimeout(TIMEOUT_MS);
        conn.setReadTimeout(TIMEOUT_MS + 12000);
        conn.setRequestMethod(method);
        conn.setRequestProperty("User-Agent", "Dalvik/2.1.0 (Linux; U; Android 11; M2007J3SG MIUI/V12.0.10.0)");
        if (body != null) {
            conn.setDoOutput(true);
            conn.setRequestProperty("Content-Type", contentType);
            try (OutputStream out = conn.getOutputStream()) {
                out.write(body);
            }
        }
        int status = conn.getResponseCode();
        InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
        String text = in == null ? "" : readAll(in);
        if (status >= 400) throw new IOException("HTTP " + status + " from " + url);
        return text;
    }

    static String readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
