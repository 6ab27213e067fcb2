package com.chatapp.messenger;

import com.vendor.framework.NotificationFilter;
import com.vendor.sdk.RenderLog;
import org.json.JSONArray;
import org.json.JSONObject;

/** Shows a received message as a notification; the vendor's system filter sits in between. */
public final class MessageView {
    public void show(long id, String from, String text) throws org.json.JSONException {
        if (!NotificationFilter.get().shouldShow("com.chatapp.messenger", text)) return;
        RenderLog.rendered("notification", from,
                new JSONArray().put(new JSONObject().put("id", id).put("from", from).put("text", text)));
    }
}
