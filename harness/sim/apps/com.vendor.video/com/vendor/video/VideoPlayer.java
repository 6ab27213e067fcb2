package com.vendor.video;

import com.vendor.sdk.AdBlacklistFilter;
import com.vendor.sdk.Endpoints;
import com.vendor.sdk.Http;
import com.vendor.sdk.Log;
import com.vendor.sdk.RenderLog;
import org.json.JSONArray;
import org.json.JSONObject;

/** Plays a video: loads the pre-roll ad slot (filtered by the vendor list when switched on). */
public final class VideoPlayer {
    private static final String TAG = "VideoPlayer";
    private final AdBlacklistFilter adFilter;

    public VideoPlayer(AdBlacklistFilter adFilter) {
        this.adFilter = adFilter;
    }

    /** Entry point for VIEW intents and Frida RPC triggers. */
    public void play(String videoId, String title) {
        Log.i(TAG, "play id=" + videoId + " title=" + JSONObject.quote(title));
        try {
            loadAdSlot("video_preroll", title);
        } catch (Exception e) {
            Log.e(TAG, "ad slot failed: " + e);
        }
        Log.i(TAG, "playing id=" + videoId);
    }

    public void loadAdSlot(String slot, String title) throws Exception {
        String url = Endpoints.url(Endpoints.ADS, "/v1/ads?app=com.vendor.video&slot=" + Endpoints.q(slot)
                + "&title=" + Endpoints.q(title));
        JSONArray ads = new JSONObject(Http.get(url)).getJSONArray("ads");
        JSONArray shown = new JSONArray();
        for (int i = 0; i < ads.length(); i++) {
            JSONObject ad = ads.getJSONObject(i);
            if (!adFilter.isBlocked(ad.getString("title"))) {
                shown.put(new JSONObject().put("id", ad.getString("id")).put("title", ad.getString("title")));
            }
        }
        RenderLog.rendered("video_ads", title, shown);
    }
}
