package com.vendor.video;

import com.vendor.sdk.AdBlacklistConfigClient;
import com.vendor.sdk.AdBlacklistFilter;
import com.vendor.sdk.Device;
import com.vendor.sdk.Log;
import vapp.App;
import vapp.Intent;
import vapp.VApp;

/**
 * The vendor's video app: downloads {@code MiAdBlacklistConfig} on start; VIEW intents
 * ({@code video://ID} with extra {@code title}) or {@link VideoPlayer#play} play a video with a pre-roll ad slot.
 */
public final class VideoApp implements App {
    public static final String PACKAGE = "com.vendor.video";
    private final AdBlacklistConfigClient config = new AdBlacklistConfigClient(PACKAGE);
    private VideoPlayer player;

    public static void main(String[] args) {
        VApp.run(new VideoApp());
    }

    @Override
    public void onCreate() {
        player = new VideoPlayer(new AdBlacklistFilter(config::current, Device.flag("persist.vendor.filter.video_ads")));
        Log.i("VideoApp", "started region=" + Device.prop("ro.miui.region", "?"));
        config.refresh();
        config.schedule(Double.parseDouble(Device.prop("persist.vendor.config.refresh_s", "0")));
    }

    @Override
    public void onIntent(Intent intent) {
        if ("android.intent.action.VIEW".equals(intent.action) || "com.vendor.action.PLAY_VIDEO".equals(intent.action)) {
            String data = intent.data == null ? "" : intent.data;
            String id = data.startsWith("video://") ? data.substring("video://".length()) : data;
            String title = intent.getStringExtra("title");
            player.play(id, title == null ? id : title);
        } else if ("com.vendor.action.REFRESH_CONFIG".equals(intent.action)) {
            config.refresh();
        }
    }
}
