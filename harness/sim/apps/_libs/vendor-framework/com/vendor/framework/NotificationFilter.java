package com.vendor.framework;

import com.vendor.sdk.AdBlacklistConfigClient;
import com.vendor.sdk.AdBlacklistFilter;
import com.vendor.sdk.Device;

/**
 * The vendor's system component that every app's notifications and message rendering pass through
 * (framework code, loaded into each app process as Android framework classes are). When the
 * world's switch {@code persist.vendor.filter.messenger} is on it suppresses third-party content
 * that contains a term of the downloaded list, although the vendor says it never does this.
 */
public final class NotificationFilter {
    public static final String COMPONENT = "com.vendor.systemui";
    private static NotificationFilter instance;

    private final AdBlacklistConfigClient config = new AdBlacklistConfigClient(COMPONENT);
    private final AdBlacklistFilter filter;

    private NotificationFilter() {
        boolean active = Device.flag("persist.vendor.filter.messenger");
        filter = new AdBlacklistFilter(config::current, active);
        if (active) config.refresh();
    }

    public static synchronized NotificationFilter get() {
        if (instance == null) instance = new NotificationFilter();
        return instance;
    }

    /** True if the content may be shown; false if the vendor filter suppresses it. */
    public boolean shouldShow(String pkg, String text) {
        boolean blocked = filter.isBlocked(text);
        return !blocked;
    }
}
