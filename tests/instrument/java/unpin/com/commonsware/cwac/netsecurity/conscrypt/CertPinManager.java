// STAND-IN: the real class is CWAC-NetSecurity; it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package com.commonsware.cwac.netsecurity.conscrypt;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public final class CertPinManager {
    public boolean isChainValid(String hostname, List<X509Certificate> chain) {
        return Pins.matches(chain);
    }
}
