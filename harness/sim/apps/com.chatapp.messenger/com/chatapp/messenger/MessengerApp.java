package com.chatapp.messenger;

import com.vendor.sdk.Log;
import vapp.App;
import vapp.Intent;
import vapp.VApp;

/**
 * A third-party messenger: its own server, long-poll delivery. SEND intents (extras {@code to},
 * {@code text}; {@code android.intent.extra.TEXT} also works) or {@link ChatClient#send} send a message.
 */
public final class MessengerApp implements App {
    public static final String PACKAGE = "com.chatapp.messenger";
    private ChatClient client;

    public static void main(String[] args) {
        VApp.run(new MessengerApp());
    }

    @Override
    public void onCreate() {
        client = new ChatClient(ChatClient.defaultUser(), new MessageView());
        Log.i("Messenger", "signed in as " + client.user());
        Thread poller = new Thread(client::pollForever, "chat-poll");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public void onIntent(Intent intent) {
        if ("android.intent.action.SEND".equals(intent.action)) {
            String text = intent.getStringExtra("text");
            if (text == null) text = intent.getStringExtra("android.intent.extra.TEXT");
            String to = intent.getStringExtra("to");
            client.send(to == null ? "echo-bot" : to, text == null ? "" : text);
        }
    }

    @Override
    public void onStop() {
        client.stop();
    }
}
