package com.vendor.browser.analytics;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.json.JSONObject;

/** AES-128-CBC envelope of the usage events (key baked into the app, as the vendor's SDK does). */
public final class TelemetryCrypto {
    static final String KEY_ID = "sa-2021-1";
    private static final byte[] KEY = hex("5a1f0c9e3b7d4a2686e1f03c9b5d7e21");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TelemetryCrypto() {}

    /** {"v":1,"kid":..,"iv":b64,"data":b64(AES(plaintext))}: a Cipher hook sees {@code plaintext}. */
    public static String seal(String plaintext) throws Exception {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(iv));
        byte[] data = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        return new JSONObject().put("v", 1).put("kid", KEY_ID)
                .put("iv", Base64.getEncoder().encodeToString(iv))
                .put("data", Base64.getEncoder().encodeToString(data)).toString();
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }
}
