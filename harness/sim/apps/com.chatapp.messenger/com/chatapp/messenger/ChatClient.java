package com.chatapp.messenger;

import com.vendor.sdk.Device;
import com.vendor.sdk.Endpoints;
import com.vendor.sdk.Http;
import com.vendor.sdk.Log;
import org.json.JSONArray;
import org.json.JSONObject;

/** The messenger's own protocol: POST to send, long-poll to receive (chat.chatapp.test). */
public final class ChatClient {
    static final String HOST = "chat.chatapp.test";
    private static final String TAG = "ChatClient";
    private final String user;
    private final MessageView view;
    private volatile boolean running = true;
    private long lastId;

    public ChatClient(String user, MessageView view) {
        this.user = user;
        this.view = view;
    }

    public String user() {
        return user;
    }

    /** Entry point for SEND intents and Frida RPC triggers. */
    public void send(String to, String text) {
        try {
            String body = new JSONObject().put("from", user).put("to", to).put("text", text).toString();
            JSONObject reply = new JSONObject(Http.post(Endpoints.url(HOST, "/v1/messages"), "application/json",
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Log.i(TAG, "sent id=" + reply.optLong("id") + " to=" + to);
        } catch (Exception e) {
            Log.e(TAG, "send failed: " + e);
        }
    }

    /** One long poll; hands each new message to the view. */
    public void pollOnce(double waitSeconds) throws Exception {
        String url = Endpoints.url(HOST, "/v1/messages?user=" + Endpoints.q(user) + "&after=" + lastId + "&wait=" + waitSeconds);
        JSONArray messages = new JSONObject(Http.get(url)).getJSONArray("messages");
        for (int i = 0; i < messages.length(); i++) {
            JSONObject m = messages.getJSONObject(i);
            lastId = Math.max(lastId, m.getLong("id"));
            Log.i(TAG, "received id=" + m.getLong("id") + " from=" + m.getString("from"));
            view.show(m.getLong("id"), m.getString("from"), m.getString("text"));
        }
    }

    public void pollForever() {
        while (running) {
            try {
                pollOnce(5);
            } catch (Exception e) {
                Log.w(TAG, "poll failed: " + e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public void stop() {
        running = false;
    }

    static String defaultUser() {
        return Device.prop("persist.chatapp.user", "lab-phone");
    }
}
