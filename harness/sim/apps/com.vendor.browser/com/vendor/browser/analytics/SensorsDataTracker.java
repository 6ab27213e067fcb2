package com.vendor.browser.analytics;

import com.vendor.sdk.Device;
import com.vendor.sdk.Endpoints;
import com.vendor.sdk.Log;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.CertificatePinner;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The browser's "Sensors Data" usage analytics: up to 61 parameters per event, sent with OkHttp.
 * Behaviour comes from the world's props: collector host, identifiers, consent, encryption, pin.
 */
public final class SensorsDataTracker {
    private static final String TAG = "SensorsData";
    private static final MediaType JSON = MediaType.parse("application/json; charset=utf-8");

    private final String host = Device.prop("persist.vendor.telemetry.host", "tracking.eu.vendor.test");
    private final boolean identifiers = Device.flag("persist.vendor.telemetry.identifiers");
    private final boolean consentRespected = Device.flag("persist.vendor.telemetry.consent_respected");
    private final boolean encrypted = Device.flag("persist.vendor.telemetry.encrypted");
    private final String pin = Device.prop("persist.vendor.telemetry.pin", "");
    private final String eid = "eid-" + UUID.nameUUIDFromBytes(Device.prop("ro.serialno", "0").getBytes()).toString().substring(0, 8);
    private final ConsentChecker consent = new ConsentChecker();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sensors-data");
        t.setDaemon(true);
        return t;
    });
    private final OkHttpClient client;

    public SensorsDataTracker() {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(8, TimeUnit.SECONDS).readTimeout(15, TimeUnit.SECONDS);
        if (!pin.isEmpty()) b.certificatePinner(new CertificatePinner.Builder().add(host, pin).build());
        client = b.build();
    }

    /** Record a usage event and send it in the background. */
    public void track(String event, Map<String, Object> extra) {
        sender.execute(() -> send(event, extra));
    }

    /** Send a usage event without extra parameters now (the method a Frida trigger calls). */
    public void sendEvent(String event) {
        send(event, Map.of());
    }

    /** Send one event now. */
    public void send(String event, Map<String, Object> extra) {
        try {
            if (consentRespected && !consent.analyticsAllowed(eid)) {
                Log.i(TAG, "event " + event + " not sent: no analytics consent");
                return;
            }
            JSONObject props = EventProperties.build(eid, identifiers);
            for (Map.Entry<String, Object> e : extra.entrySet()) props.put(e.getKey(), e.getValue());
            JSONArray batch = new JSONArray().put(new JSONObject().put("type", "track").put("event", event)
                    .put("time", System.currentTimeMillis()).put("distinct_id", eid).put("properties", props));
            String body = encrypted ? TelemetryCrypto.seal(batch.toString()) : batch.toString();
            Request request = new Request.Builder().url(Endpoints.url(host, "/sa?project=mibrowser"))
                    .post(RequestBody.create(JSON, body)).build();
            try (Response response = client.newCall(request).execute()) {
                Log.i(TAG, "event " + event + " sent: HTTP " + response.code());
            }
        } catch (Exception e) {
            Log.w(TAG, "event " + event + " failed: " + e);
        }
    }

    /** Send {@code event} every {@code seconds} while the app runs. */
    public void schedule(String event, double seconds) {
        java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sensors-data-timer");
            t.setDaemon(true);
            return t;
        });
        long ms = (long) (seconds * 1000);
        timer.scheduleAtFixedRate(() -> track(event, Map.of()), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Wait until queued events are sent (bounded). */
    public void drain(long millis) {
        sender.shutdown();
        try {
            sender.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
