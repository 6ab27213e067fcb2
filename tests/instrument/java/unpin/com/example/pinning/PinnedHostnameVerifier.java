// The app's own class (not a stand-in): apps install such objects; the agent learns their class.
package com.example.pinning;

import harness.testapp.Pins;
import javax.net.ssl.*;

public class PinnedHostnameVerifier implements HostnameVerifier {
    public boolean verify(String hostname, SSLSession session) {
        return Pins.matches(session);
    }
}
