package com.vendor.sdk;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** URLs of the vendor's cloud. The world's HTTPS port is 443 unless the world says otherwise. */
public final class Endpoints {
    public static final String AD_CONFIG = "globalapi.ad.vendor.test";
    public static final String ADS = "api.ad.vendor.test";
    public static final String SEARCH = "search.vendor.test";
    public static final String CONSENT = "consent.vendor.test";
    public static final String TELEMETRY_SG = "tracking.intl.vendor.test";

    private Endpoints() {}

    public static String url(String host, String path) {
        String port = Device.prop("persist.sim.world.https_port", "443");
        return "https://" + host + ("443".equals(port) ? "" : ":" + port) + path;
    }

    public static String q(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
