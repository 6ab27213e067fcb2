// STAND-IN: the real class is Cronet (Chromium's network stack for Android); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package org.chromium.net;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public abstract class CronetEngine {
    public final Map<String, Set<byte[]>> pins = new HashMap<>();

    public static class Builder {
        private final Map<String, Set<byte[]>> pins = new HashMap<>();

        public Builder addPublicKeyPins(String hostName, Set<byte[]> pinsSha256, boolean includeSubdomains, Date expirationDate) {
            pins.put(hostName, pinsSha256);
            return this;
        }

        public CronetEngine build() {
            CronetEngine engine = new CronetEngine() {};
            engine.pins.putAll(pins);
            return engine;
        }
    }
}
