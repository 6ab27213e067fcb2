package com.harness.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import vapp.App;
import vapp.Input;
import vapp.Intent;
import vapp.VApp;

/**
 * The built-in probe app: on an intent with an http(s) URL as data it fetches the URL with
 * HttpsURLConnection (honouring the device proxy and trust store) and logs the result under the
 * tag "Probe": {@code I/Probe: GET URL -> 200 (N bytes)} or {@code E/Probe: TLS failure ...}.
 */
public final class Main implements App {
    static final String TAG = "Probe";

    public static void main(String[] args) {
        VApp.run(new Main());
    }

    @Override
    public void onCreate() {
        VApp.log('I', TAG, "started on " + VApp.prop("ro.product.model", "?") + " sdk "
                + VApp.prop("ro.build.version.sdk", "?"));
    }

    @Override
    public void onIntent(Intent intent) {
        VApp.log('I', TAG, "intent " + intent);
        if (intent.data != null && (intent.data.startsWith("https://") || intent.data.startsWith("http://"))) {
            fetch(intent.data);
        }
    }

    @Override
    public void onInput(Input input) {
        VApp.log('I', TAG, "input " + input);
    }

    static void fetch(String url) {
        HttpURLConnection conn = null;
        try {
            conn = (HttpURLConnection) new URL(url).openConnection();
            conn.setConnectTimeout(10000);
            conn.setReadTimeout(10000);
            int status = conn.getResponseCode();
            String proto = conn instanceof HttpsURLConnection ? " " + ((HttpsURLConnection) conn).getCipherSuite() : "";
            long size = 0;
            InputStream body = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
            if (body != null) {
                try (InputStream in = body) {
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) > 0) size += n;
                }
            }
            VApp.log('I', TAG, "GET " + url + " -> " + status + " (" + size + " bytes)" + proto);
        } catch (SSLException e) {
            VApp.log('E', TAG, "TLS failure for " + url + ": " + e);
        } catch (IOException | RuntimeException e) {
            VApp.log('E', TAG, "request failed for " + url + ": " + e);
        } finally {
            if (conn != null) conn.disconnect();
        }
    }
}
