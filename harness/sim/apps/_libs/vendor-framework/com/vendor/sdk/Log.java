package com.vendor.sdk;

import vapp.VApp;

/** android.util.Log for vendor code: logcat lines through the virtual app runtime. */
public final class Log {
    private Log() {}

    public static void i(String tag, String msg) { VApp.log('I', tag, msg); }
    public static void d(String tag, String msg) { VApp.log('D', tag, msg); }
    public static void w(String tag, String msg) { VApp.log('W', tag, msg); }
    public static void e(String tag, String msg) { VApp.log('E', tag, msg); }
}
