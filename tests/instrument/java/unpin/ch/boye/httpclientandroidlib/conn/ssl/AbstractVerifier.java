// STAND-IN: the real class is httpclientandroidlib (Boye); it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package ch.boye.httpclientandroidlib.conn.ssl;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public abstract class AbstractVerifier {
    // the real verify() matches host names; here it fails unless the chain being checked is pinned
    public final void verify(String host, String[] cns, String[] subjectAlts, boolean strictWithSubDomains) throws SSLException {
        if (!Pins.matches(Pins.current)) throw new SSLException("hostname in certificate didn't match: <" + host + ">");
    }
}
