package com.vendor.sdk;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/** The decoded {@code MiAdBlacklistConfig}: version, update time, on/off and the terms. */
public final class AdBlacklistConfig {
    public static final String NAME = "MiAdBlacklistConfig";
    public static final AdBlacklistConfig NONE = new AdBlacklistConfig(0, 0, false, Collections.emptyList());

    public final long version;
    public final long updateTime;
    public final boolean enable;
    public final List<String> terms;

    public AdBlacklistConfig(long version, long updateTime, boolean enable, List<String> terms) {
        this.version = version;
        this.updateTime = updateTime;
        this.enable = enable;
        this.terms = Collections.unmodifiableList(terms);
    }

    /** Parse the service's answer; {@link #NONE} when it carries no config. */
    public static AdBlacklistConfig parse(String body) throws JSONException, IOException {
        JSONObject doc = new JSONObject(body);
        JSONObject data = doc.optJSONObject("data");
        if (data == null) return NONE;
        List<String> terms = new ArrayList<>();
        String content = data.optString("content", "");
        if (!content.isEmpty()) {
            byte[] gz = Base64.getDecoder().decode(content);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                JSONArray arr = new JSONArray(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                for (int i = 0; i < arr.length(); i++) terms.add(arr.getString(i));
            }
        }
        return new AdBlacklistConfig(data.optLong("version"), data.optLong("updateTime"),
                data.optBoolean("enable", false), terms);
    }
}
