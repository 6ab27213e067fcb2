package com.vendor.browser.analytics;

import com.vendor.sdk.Endpoints;
import com.vendor.sdk.Http;
import com.vendor.sdk.Log;
import org.json.JSONObject;

/** Asks the vendor's consent service whether the user agreed to usage analytics. */
public final class ConsentChecker {
    private volatile Boolean granted;

    public boolean analyticsAllowed(String eid) {
        if (granted != null) return granted;
        try {
            String body = Http.get(Endpoints.url(Endpoints.CONSENT, "/v1/consent?app=com.vendor.browser&eid=" + Endpoints.q(eid)));
            granted = new JSONObject(body).optBoolean("analytics", false);
        } catch (Exception e) {
            Log.w("BrowserConsent", "consent lookup failed, assuming no consent: " + e);
            return false;
        }
        return granted;
    }
}
