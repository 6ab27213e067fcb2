package com.vendor.security;

import com.vendor.sdk.AdBlacklistConfigClient;
import com.vendor.sdk.Device;
import com.vendor.sdk.Log;
import vapp.App;
import vapp.Intent;
import vapp.VApp;

/** The vendor's security/cleaner system app: it only downloads {@code MiAdBlacklistConfig}. */
public final class SecurityCenter implements App {
    public static final String PACKAGE = "com.vendor.security";
    private final AdBlacklistConfigClient config = new AdBlacklistConfigClient(PACKAGE);

    public static void main(String[] args) {
        VApp.run(new SecurityCenter());
    }

    @Override
    public void onCreate() {
        Log.i("SecurityCenter", "started region=" + Device.prop("ro.miui.region", "?"));
        refreshConfig();
        config.schedule(Double.parseDouble(Device.prop("persist.vendor.config.refresh_s", "0")));
    }

    /** Download the config now (also the Frida trigger target). */
    public void refreshConfig() {
        config.refresh();
    }

    /** A (pretend) cleaner scan. */
    public void scan() {
        Log.i("SecurityCenter", "scan complete: 0 threats, 212 MB junk");
    }

    @Override
    public void onIntent(Intent intent) {
        if ("com.vendor.action.REFRESH_CONFIG".equals(intent.action)) refreshConfig();
        else if ("com.vendor.action.SCAN".equals(intent.action)) scan();
    }
}
