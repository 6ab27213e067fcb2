// STAND-IN: the real class is Android's bundled OkHttp hostname verifier; it cannot run on a desktop JVM (or is not packaged in Debian),
// so this test class has the SAME fully-qualified name and method signature, and the unpin agent hooks
// exactly what it hooks on a phone. Its check fails unless the chain carries the pinned key.
package com.android.okhttp.internal.tls;

import harness.testapp.Pins;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class OkHostnameVerifier implements HostnameVerifier {
    public boolean verify(String hostname, SSLSession session) {
        return Pins.matches(session);
    }
}
