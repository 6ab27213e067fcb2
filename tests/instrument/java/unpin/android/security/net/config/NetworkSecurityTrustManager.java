// STAND-IN: the real class is Android's network security config (pin-set check); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package android.security.net.config;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class NetworkSecurityTrustManager {
    // private on Android; public here so the test app can call it directly
    public void checkPins(List<X509Certificate> chain) throws CertificateException {
        Pins.check(chain);
    }
}
