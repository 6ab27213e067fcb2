package com.vendor.sdk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;

/** Downloads {@code MiAdBlacklistConfig} from the ad-config service and keeps the latest copy. */
public final class AdBlacklistConfigClient {
    private static final String TAG = "AdBlacklist";
    private final String pkg;
    private volatile AdBlacklistConfig current = AdBlacklistConfig.NONE;
    private ScheduledExecutorService timer;

    public AdBlacklistConfigClient(String pkg) {
        this.pkg = pkg;
    }

    public AdBlacklistConfig current() {
        return current;
    }

    /** Fetch the config now; keeps the previous one on failure. */
    public AdBlacklistConfig refresh() {
        // the region the user chose in Settings (persist.sys.country) over the build's (ro.miui.region)
        String region = Device.prop("persist.sys.country", Device.prop("ro.miui.region", "GLOBAL"));
        String url = Endpoints.url(Endpoints.AD_CONFIG, "/api/v1/config?name=" + AdBlacklistConfig.NAME
                + "&pkg=" + Endpoints.q(pkg) + "&region=" + Endpoints.q(region)
                + "&version=" + current.version);
        try {
            String body = Http.get(url);
            AdBlacklistConfig cfg = AdBlacklistConfig.parse(body);
            current = cfg;
            save(body);
            JSONObject line = new JSONObject().put("event", "config").put("pkg", pkg).put("version", cfg.version)
                    .put("updateTime", cfg.updateTime).put("enable", cfg.enable).put("terms", cfg.terms.size());
            Log.i(TAG, line.toString());
        } catch (Exception e) {
            Log.w(TAG, "config download failed: " + e);
        }
        return current;
    }

    /** Refresh periodically (the vendor SDK re-downloads while the app runs). */
    public synchronized void schedule(double seconds) {
        if (seconds <= 0 || timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-refresh");
            t.setDaemon(true);
            return t;
        });
        long ms = (long) (seconds * 1000);
        timer.scheduleAtFixedRate(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void save(String body) {
        try {
            Path dir = Device.dataDir().resolve("files");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(AdBlacklistConfig.NAME + ".json"), body);
        } catch (Exception e) {
            Log.w(TAG, "cannot cache config: " + e);
        }
    }
}
