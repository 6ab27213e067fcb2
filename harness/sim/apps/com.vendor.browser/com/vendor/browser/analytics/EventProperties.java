package com.vendor.browser.analytics;

import com.vendor.sdk.Device;
import java.util.TimeZone;
import org.json.JSONException;
import org.json.JSONObject;

/** The event parameters of the vendor's analytics module (56 usage parameters + 5 identifiers = 61). */
public final class EventProperties {
    private EventProperties() {}

    public static JSONObject build(String eid, boolean withIdentifiers) throws JSONException {
        JSONObject p = new JSONObject();
        p.put("$lib", "Android").put("$lib_version", "4.3.2").put("$os", "Android")
                .put("$os_version", Device.prop("ro.build.version.release", "10"))
                .put("$manufacturer", Device.prop("ro.product.manufacturer", "Xiaomi"))
                .put("$app_version", "12.10.1-gn").put("$app_id", "com.vendor.browser")
                .put("$app_name", "Vendor Browser").put("$screen_width", 1080).put("$screen_height", 2400)
                .put("$wifi", true).put("$network_type", "WIFI").put("$carrier", "Telia LT")
                .put("$timezone_offset", TimeZone.getDefault().getRawOffset() / 60000)
                .put("miui_region", Device.prop("ro.miui.region", "GLOBAL"))
                .put("miui_version", Device.prop("ro.build.version.incremental", "V12.0.10.0"))
                .put("apk_name", "com.vendor.browser").put("apk_version", 121001)
                .put("eid", eid).put("cookie_status", "enabled").put("incognito_switch", false)
                .put("history_sync", true).put("browser_ads", true).put("search_engine", "vendor")
                .put("homepage", "feed").put("default_browser", true).put("night_mode", false)
                .put("font_size", "medium").put("text_zoom", 100).put("adblock_switch", false)
                .put("js_switch", true).put("save_password", true).put("clear_on_exit", false)
                .put("do_not_track", false).put("location_permission", "ask")
                .put("notification_switch", true).put("news_feed", true).put("video_autoplay", "wifi")
                .put("data_saver", false).put("download_path_type", "internal").put("tabs_count", 3)
                .put("bookmarks_count", 12).put("ui_mode", "light")
                .put("language", Device.prop("ro.product.locale", "en-GB")).put("country", Device.prop("ro.miui.region", "GLOBAL"))
                .put("page_type", "search").put("event_duration", 1200).put("session_id", Long.toHexString(System.nanoTime()))
                .put("user_type", "old").put("channel", "system").put("launch_source", "launcher")
                .put("push_switch", true).put("personalized_ads", true).put("fullscreen", false)
                .put("gesture_nav", true)
                .put("query_length", 0);
        if (withIdentifiers) {
            p.put("android_id", Device.androidId())
                    .put("serial_no", Device.prop("ro.serialno", ""))
                    .put("device_model", Device.prop("ro.product.model", ""))
                    .put("imei", Device.prop("persist.radio.imei", ""));
            String adId = Device.advertisingId();  // the platform advertising ID, sent as "oaid"
            if (!adId.isEmpty()) p.put("oaid", adId);
        }
        return p;
    }
}
