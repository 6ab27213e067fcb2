package com.vendor.browser;

import com.vendor.browser.analytics.SensorsDataTracker;
import com.vendor.sdk.Http;
import com.vendor.sdk.Log;
import com.vendor.sdk.RenderLog;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.json.JSONArray;
import org.json.JSONObject;

/** Loads a web page (VIEW intents) and renders its title. */
public final class PageLoader {
    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private final SensorsDataTracker tracker;

    public PageLoader(SensorsDataTracker tracker) {
        this.tracker = tracker;
    }

    public void open(String url) {
        try {
            String page = Http.get(url);
            Matcher m = TITLE.matcher(page);
            String title = m.find() ? m.group(1).trim() : "";
            RenderLog.rendered("page", url, new JSONArray().put(new JSONObject().put("title", title).put("length", page.length())));
        } catch (Exception e) {
            Log.e("BrowserPage", "load failed " + url + ": " + e);
        }
        tracker.track("page_view", java.util.Map.of());
    }
}
