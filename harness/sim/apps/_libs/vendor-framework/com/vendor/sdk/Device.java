package com.vendor.sdk;

import java.nio.file.Path;
import vapp.VApp;

/** Device facts the vendor code reads (through the virtual app runtime): props and the data folder. */
public final class Device {
    private Device() {}

    /** A prop; {@code fallback} when it is missing or empty. */
    public static String prop(String key, String fallback) {
        String value = VApp.prop(key, "");
        return value == null || value.isEmpty() ? fallback : value;
    }

    public static boolean flag(String key) {
        String v = prop(key, "0");
        return "1".equals(v) || "true".equals(v);
    }

    /** Settings.Secure.ANDROID_ID. */
    public static String androidId() {
        return prop("settings.secure.android_id", prop("settings.android_id", ""));
    }

    /** The device's advertising ID (Google Play services); empty when there is none. */
    public static String advertisingId() {
        String id = VApp.advertisingId();
        return id == null ? "" : id;
    }

    public static String packageName() {
        return VApp.packageName();
    }

    public static Path dataDir() {
        return VApp.dataDir();
    }
}
