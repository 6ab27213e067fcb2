package vapp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The virtual app runtime: device props, logcat, the control loop and wait-for-debugger.
 *
 * <p>Control messages arrive as JSON lines on stdin (see docs/dev/contracts.md section 2); each
 * stdout line {@code P/Tag: message} becomes a logcat entry on the virtual handset.
 */
public final class VApp {
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private static final CountDownLatch released = new CountDownLatch(1);
    private static final BlockingQueue<Map<String, Object>> queue = new LinkedBlockingQueue<>();
    private static Map<String, String> props;

    private VApp() {}

    /** The package name this process runs as. */
    public static String packageName() {
        return System.getProperty("vapp.package", "unknown");
    }

    /** The app's private data folder ({@code /data/data/PKG} on the device). */
    public static Path dataDir() {
        return Paths.get(System.getProperty("vapp.data", "."));
    }

    /** Device properties (getprop) plus {@code settings.*} values the app may read. */
    public static synchronized Map<String, String> props() {
        if (props == null) {
            Map<String, String> m = new LinkedHashMap<>();
            String file = System.getProperty("vapp.props");
            if (file != null) {
                try {
                    for (Map.Entry<String, Object> e : Json.parseObject(Files.readString(Paths.get(file))).entrySet()) {
                        m.put(e.getKey(), String.valueOf(e.getValue()));
                    }
                } catch (Exception e) {
                    log('E', "vapp", "cannot read props " + file + ": " + e);
                }
            }
            props = Collections.unmodifiableMap(m);
        }
        return props;
    }

    public static String prop(String key, String dflt) {
        return props().getOrDefault(key, dflt);
    }

    /**
     * The advertising ID Google Play services keeps for this device, as the platform's
     * {@code AdvertisingIdClient.getAdvertisingIdInfo(context).getId()} returns it; the app host
     * reads it from Play services' shared prefs at launch. Empty when the device has none.
     */
    public static String advertisingId() {
        return prop("gms.advertising_id", "");
    }

    /** Write a logcat entry; level is one of V D I W E F. */
    public static void log(char level, String tag, String msg) {
        synchronized (OUT) {
            for (String line : String.valueOf(msg).split("\n", -1)) {
                OUT.println(level + "/" + tag + ": " + line);
            }
        }
    }

    public static void log(String level, String tag, String msg) {
        log(level.isEmpty() ? 'I' : level.charAt(0), tag, msg);
    }

    /** Block until the host sends {@code {"type":"release"}} if started with {@code am start -D}. */
    public static void waitForDebugger() throws InterruptedException {
        if (!Boolean.getBoolean("vapp.waitForDebugger")) return;
        log('W', "ActivityThread", "Application " + packageName() + " is waiting for the debugger on port 8100...");
        released.await();
        log('I', "ActivityThread", "debugger has settled");
    }

    /** Run {@code app}: read control messages, wait for the debugger if asked, dispatch. Never returns. */
    public static void run(App app) {
        Thread reader = new Thread(VApp::readControl, "vapp-control");
        reader.setDaemon(true);
        reader.start();
        int status = 0;
        try {
            waitForDebugger();
            app.onCreate();
            log('D', "vapp", "ready " + packageName());
            while (true) {
                Map<String, Object> msg = queue.take();
                String type = String.valueOf(msg.get("type"));
                if (type.equals("stop") || type.equals("eof")) break;
                try {
                    if (type.equals("intent")) app.onIntent(Intent.fromMessage(msg));
                    else if (type.equals("input")) app.onInput(Input.fromMessage(msg));
                } catch (Exception e) {
                    log('E', "AndroidRuntime", "handler failed: " + e);
                }
            }
            app.onStop();
        } catch (InterruptedException e) {
            status = 1;
        }
        System.exit(status);
    }

    private static void readControl() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                Map<String, Object> msg;
                try {
                    msg = Json.parseObject(line);
                } catch (IllegalArgumentException e) {
                    log('W', "vapp", "bad control message: " + line);
                    continue;
                }
                if ("release".equals(msg.get("type"))) released.countDown();
                else queue.add(msg);
            }
        } catch (Exception e) {
            log('W', "vapp", "control stream failed: " + e);
        }
        released.countDown();
        Map<String, Object> eof = new LinkedHashMap<>();
        eof.put("type", "eof");
        queue.add(eof);
    }
}
