// The pinning mechanisms the unpin agent knows: one row per class and method, with how the check is
// defeated. docs/agents.md has the same table with where each row is proven.
//
// Strategies (each runs the app's own check first unless said otherwise; only a failed check is
// bypassed and reported):
//   void      the method throws on a bad chain: swallow, return nothing
//   bool      the method returns false (or throws) on a bad chain: return true
//   list      the method returns the verified chain (List) or throws: return the chain it was given
//   arg0      like list, but the chain argument is already a List (Conscrypt verifyChain)
//   proceed   WebViewClient.onReceivedSslError: call handler.proceed() instead of the default cancel
//   nopins    a builder call that *adds* pins (Cronet): skip it, return the builder
//   learn     SSLContext.init / set*HostnameVerifier: hook the class of the app's object, then go on
//
// host: where the event's host comes from: an argument index, "session" (an SSLSession argument),
// "socket" (an SSLSocket/SSLEngine argument), "chain" (the first certificate's first subject
// alternative name: the certificate the proxy minted for the host), "url" (argument 2's getUrl()),
// "this" (the hooked socket's getHostname()).

export type Strategy = "void" | "bool" | "list" | "arg0" | "proceed" | "nopins" | "learn";
export type HostFrom = number | "session" | "socket" | "chain" | "url" | "this" | "none";

export interface Mechanism {
    name: string;
    cls: string;
    method: string;
    strategy: Strategy;
    host: HostFrom;
    /** which argument holds the certificate chain (for "list" and host "chain"); default 0 */
    chain?: number;
    /** only overloads with these parameter types (Java class names) */
    args?: string[];
}

const X509_ARRAY = "[Ljava.security.cert.X509Certificate;";

export const MECHANISMS: Mechanism[] = [
    // OkHttp
    { name: "okhttp3-pinner", cls: "okhttp3.CertificatePinner", method: "check", strategy: "void", host: 0,
        args: ["java.lang.String", "java.util.List"] },
    { name: "okhttp4-pinner", cls: "okhttp3.CertificatePinner", method: "check$okhttp", strategy: "void", host: 0 },
    { name: "okhttp-android-pinner", cls: "com.android.okhttp.CertificatePinner", method: "check", strategy: "void", host: 0 },
    { name: "okhttp2-pinner", cls: "com.squareup.okhttp.CertificatePinner", method: "check", strategy: "void", host: 0 },
    { name: "okhttp2-hostname-verifier", cls: "com.squareup.okhttp.internal.tls.OkHostnameVerifier", method: "verify",
        strategy: "bool", host: 0, args: ["java.lang.String", "javax.net.ssl.SSLSession"] },
    { name: "okhttp3-hostname-verifier", cls: "okhttp3.internal.tls.OkHostnameVerifier", method: "verify",
        strategy: "bool", host: 0, args: ["java.lang.String", "javax.net.ssl.SSLSession"] },
    { name: "okhttp-android-hostname-verifier", cls: "com.android.okhttp.internal.tls.OkHostnameVerifier", method: "verify",
        strategy: "bool", host: 0, args: ["java.lang.String", "javax.net.ssl.SSLSession"] },
    { name: "okhttp3-custom-hostname-verifier", cls: "okhttp3.OkHttpClient$Builder", method: "hostnameVerifier",
        strategy: "learn", host: "none" },
    // platform trust: the JDK, Conscrypt (platform, unbundled), network security config
    { name: "jdk-trust-manager", cls: "sun.security.ssl.X509TrustManagerImpl", method: "checkServerTrusted",
        strategy: "void", host: "socket" },
    { name: "conscrypt-check-server-trusted", cls: "com.android.org.conscrypt.TrustManagerImpl", method: "checkServerTrusted",
        strategy: "list", host: 2, args: [X509_ARRAY, "java.lang.String", "java.lang.String"] },
    { name: "conscrypt-verify-chain", cls: "com.android.org.conscrypt.TrustManagerImpl", method: "verifyChain",
        strategy: "arg0", host: 2 },
    { name: "conscrypt-check-trusted-recursive", cls: "com.android.org.conscrypt.TrustManagerImpl", method: "checkTrustedRecursive",
        strategy: "list", host: 3 },
    { name: "conscrypt-unbundled-verify-chain", cls: "org.conscrypt.TrustManagerImpl", method: "verifyChain",
        strategy: "arg0", host: 2 },
    { name: "conscrypt-cert-pin-manager", cls: "com.android.org.conscrypt.CertPinManager", method: "isChainValid",
        strategy: "bool", host: 0 },
    { name: "conscrypt-socket-verify-chain", cls: "com.android.org.conscrypt.ConscryptFileDescriptorSocket",
        method: "verifyCertificateChain", strategy: "void", host: "this" },
    { name: "nsc-check-pins", cls: "android.security.net.config.NetworkSecurityTrustManager", method: "checkPins",
        strategy: "void", host: "chain" },
    { name: "nsc-root-trust-manager", cls: "android.security.net.config.RootTrustManager", method: "checkServerTrusted",
        strategy: "list", host: 2, args: [X509_ARRAY, "java.lang.String", "java.lang.String"] },
    { name: "x509-trust-manager-extensions", cls: "android.net.http.X509TrustManagerExtensions", method: "checkServerTrusted",
        strategy: "list", host: 2 },
    // an app's own trust manager / hostname verifier, found where it is installed
    { name: "sslcontext-custom-trust-manager", cls: "javax.net.ssl.SSLContext", method: "init", strategy: "learn", host: "none" },
    { name: "https-default-hostname-verifier", cls: "javax.net.ssl.HttpsURLConnection", method: "setDefaultHostnameVerifier",
        strategy: "learn", host: "none" },
    { name: "https-hostname-verifier", cls: "javax.net.ssl.HttpsURLConnection", method: "setHostnameVerifier",
        strategy: "learn", host: "none" },
    // libraries
    { name: "apache-abstract-verifier", cls: "org.apache.http.conn.ssl.AbstractVerifier", method: "verify", strategy: "void", host: 0,
        args: ["java.lang.String", "[Ljava.lang.String;", "[Ljava.lang.String;", "boolean"] },
    { name: "boye-abstract-verifier", cls: "ch.boye.httpclientandroidlib.conn.ssl.AbstractVerifier", method: "verify",
        strategy: "void", host: 0, args: ["java.lang.String", "[Ljava.lang.String;", "[Ljava.lang.String;", "boolean"] },
    { name: "trustkit-trust-manager", cls: "com.datatheorem.android.trustkit.pinning.PinningTrustManager",
        method: "checkServerTrusted", strategy: "void", host: "chain" },
    { name: "trustkit-hostname-verifier", cls: "com.datatheorem.android.trustkit.pinning.OkHostnameVerifier", method: "verify",
        strategy: "bool", host: 0, args: ["java.lang.String", "javax.net.ssl.SSLSession"] },
    { name: "appcelerator-trust-manager", cls: "appcelerator.https.PinningTrustManager", method: "checkServerTrusted",
        strategy: "void", host: "chain" },
    { name: "fabric-trust-manager", cls: "io.fabric.sdk.android.services.network.PinningTrustManager", method: "checkServerTrusted",
        strategy: "void", host: "chain" },
    { name: "cwac-netsecurity-cert-pin-manager", cls: "com.commonsware.cwac.netsecurity.conscrypt.CertPinManager",
        method: "isChainValid", strategy: "bool", host: 0 },
    { name: "worklight-hostname-verifier", cls: "com.worklight.wlclient.certificatepinning.HostNameVerifierWithCertificatePinning",
        method: "verify", strategy: "bool", host: 0, args: ["java.lang.String", "javax.net.ssl.SSLSession"] },
    { name: "webview-ssl-error", cls: "android.webkit.WebViewClient", method: "onReceivedSslError", strategy: "proceed", host: "url" },
    { name: "cronet-public-key-pins", cls: "org.chromium.net.CronetEngine$Builder", method: "addPublicKeyPins",
        strategy: "nopins", host: 0 },
];
