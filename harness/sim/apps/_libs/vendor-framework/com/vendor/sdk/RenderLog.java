package com.vendor.sdk;

import org.json.JSONArray;
import org.json.JSONObject;

/**
 * What an app put on screen, as one parseable logcat line:
 * {@code I/Render: {"pkg":..,"surface":"ads","subject":..,"items":[..]}}.
 */
public final class RenderLog {
    public static final String TAG = "Render";

    private RenderLog() {}

    public static void rendered(String surface, String subject, JSONArray items) {
        JSONObject line = new JSONObject();
        try {
            line.put("pkg", Device.packageName()).put("surface", surface).put("subject", subject).put("items", items);
        } catch (org.json.JSONException e) {
            throw new IllegalStateException(e);
        }
        Log.i(TAG, line.toString());
    }
}
