package com.vendor.browser;

import com.vendor.browser.analytics.SensorsDataTracker;
import com.vendor.sdk.AdBlacklistFilter;
import com.vendor.sdk.Endpoints;
import com.vendor.sdk.Http;
import com.vendor.sdk.Log;
import com.vendor.sdk.RenderLog;
import org.json.JSONArray;
import org.json.JSONObject;

/** A search: suggestions, results and paid ads for the query, each rendered (and maybe filtered). */
public final class SearchController {
    private static final String TAG = "BrowserSearch";
    private final AdBlacklistFilter adFilter;
    private final AdBlacklistFilter suggestionFilter;
    private final SensorsDataTracker tracker;

    public SearchController(AdBlacklistFilter adFilter, AdBlacklistFilter suggestionFilter, SensorsDataTracker tracker) {
        this.adFilter = adFilter;
        this.suggestionFilter = suggestionFilter;
        this.tracker = tracker;
    }

    /** Entry point for WEB_SEARCH intents, typed input and Frida RPC triggers. */
    public void search(String query) {
        Log.i(TAG, "search query=" + JSONObject.quote(query));
        try {
            JSONArray suggestions = new JSONObject(Http.get(Endpoints.url(Endpoints.SEARCH, "/v1/suggest?q=" + Endpoints.q(query))))
                    .getJSONArray("suggestions");
            JSONArray shown = new JSONArray();
            for (int i = 0; i < suggestions.length(); i++) {
                String s = suggestions.getString(i);
                if (!suggestionFilter.isBlocked(s)) shown.put(s);
            }
            RenderLog.rendered("suggestions", query, shown);

            JSONArray results = new JSONObject(Http.get(Endpoints.url(Endpoints.SEARCH, "/v1/search?q=" + Endpoints.q(query))))
                    .getJSONArray("results");
            JSONArray titles = new JSONArray();
            for (int i = 0; i < results.length(); i++) titles.put(results.getJSONObject(i).getString("title"));
            RenderLog.rendered("results", query, titles);

            loadAds(query);
        } catch (Exception e) {
            Log.e(TAG, "search failed query=" + JSONObject.quote(query) + ": " + e);
        }
        tracker.track("search", java.util.Map.of("query_length", query.length()));
    }

    /** Paid ads for the query; the vendor filter drops ads whose text contains a listed term. */
    public void loadAds(String query) throws Exception {
        String url = Endpoints.url(Endpoints.ADS, "/v1/ads?app=com.vendor.browser&slot=browser_search&query=" + Endpoints.q(query));
        JSONArray ads = new JSONObject(Http.get(url)).getJSONArray("ads");
        JSONArray shown = new JSONArray();
        for (int i = 0; i < ads.length(); i++) {
            JSONObject ad = ads.getJSONObject(i);
            if (!adFilter.isBlocked(ad.getString("title"))) {
                shown.put(new JSONObject().put("id", ad.getString("id")).put("title", ad.getString("title")));
            }
        }
        RenderLog.rendered("ads", query, shown);
    }
}
