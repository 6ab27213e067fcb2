package com.vendor.browser;

import com.vendor.browser.analytics.SensorsDataTracker;
import com.vendor.sdk.AdBlacklistConfigClient;
import com.vendor.sdk.AdBlacklistFilter;
import com.vendor.sdk.Device;
import com.vendor.sdk.Log;
import java.util.Map;
import vapp.App;
import vapp.Input;
import vapp.Intent;
import vapp.VApp;

/**
 * The vendor's browser. First start: download {@code MiAdBlacklistConfig} (and periodically after).
 * WEB_SEARCH intents, typed text + ENTER, or {@link SearchController#search} (Frida) run a search;
 * VIEW intents open a page. Usage events go to the "Sensors Data" collector.
 */
public final class BrowserApp implements App {
    public static final String PACKAGE = "com.vendor.browser";
    private static final String TAG = "Browser";
    private static final int KEYCODE_ENTER = 66;

    private final AdBlacklistConfigClient config = new AdBlacklistConfigClient(PACKAGE);
    private SensorsDataTracker tracker;
    private SearchController search;
    private PageLoader pages;
    private final StringBuilder searchBox = new StringBuilder();

    public static void main(String[] args) {
        VApp.run(new BrowserApp());
    }

    @Override
    public void onCreate() {
        tracker = new SensorsDataTracker();
        search = new SearchController(
                new AdBlacklistFilter(config::current, Device.flag("persist.vendor.filter.browser_ads")),
                new AdBlacklistFilter(config::current, Device.flag("persist.vendor.filter.browser_suggestions")),
                tracker);
        pages = new PageLoader(tracker);
        Log.i(TAG, "started region=" + Device.prop("ro.miui.region", "?"));
        config.refresh();
        config.schedule(Double.parseDouble(Device.prop("persist.vendor.config.refresh_s", "0")));
        tracker.track("app_start", Map.of());
        double interval = Double.parseDouble(Device.prop("persist.vendor.telemetry.interval_s", "0"));
        if (interval > 0) tracker.schedule("app_usage", interval);
    }

    @Override
    public void onIntent(Intent intent) {
        String action = intent.action == null ? "" : intent.action;
        switch (action) {
            case "android.intent.action.WEB_SEARCH":
            case "android.intent.action.SEARCH":
                search.search(intent.getStringExtra("query") == null ? "" : intent.getStringExtra("query"));
                break;
            case "android.intent.action.VIEW":
                if (intent.data != null) pages.open(intent.data);
                break;
            case "com.vendor.action.REFRESH_CONFIG":
                config.refresh();
                break;
            default:
                Log.d(TAG, "ignored " + intent);
        }
    }

    @Override
    public void onInput(Input input) {
        if ("text".equals(input.kind) && input.text != null) {
            searchBox.append(input.text);
        } else if ("keyevent".equals(input.kind) && input.code == KEYCODE_ENTER && searchBox.length() > 0) {
            String query = searchBox.toString();
            searchBox.setLength(0);
            search.search(query);
        }
    }

    @Override
    public void onStop() {
        tracker.drain(5000);
    }

    /** For Frida triggers: the live search controller. */
    public SearchController searchController() {
        return search;
    }
}
