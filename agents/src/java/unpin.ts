// unpin: defeat certificate pinning and custom trust checks so the proxy's certificate is accepted.
// Each hook first runs the app's own check; only when that check fails is the failure swallowed and
// reported as `unpin:bypassed` (so events list exactly what was bypassed).
import Java from "frida-java-bridge";
import { emit, reportError } from "../../lib/emit.js";
import { replace } from "../../lib/hooks.js";
import { tryUse } from "../../lib/java.js";

const installed: string[] = [];
const hookedTrustManagers = new Set<string>();

function describe(e: unknown): string {
    const err = e as { message?: string };
    return err && err.message !== undefined ? String(err.message) : String(e);
}

function bypassed(target: string, fields: Record<string, unknown>, error: unknown): void {
    emit("unpin:bypassed", { target, ...fields, error: describe(error) });
}

function hookPinner(className: string): void {
    const cls = tryUse(className);
    if (cls === null) return;
    for (const name of ["check", "check$okhttp"]) {
        const method = cls[name];
        if (method === undefined) continue;
        for (const overload of method.overloads) {
            replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
                try {
                    return overload.apply(this, args);
                } catch (e) {
                    bypassed(`${className}.${name}`, { host: String(args[0]) }, e);
                    return undefined;
                }
            });
        }
        installed.push(`${className}.${name}`);
    }
}

function hookTrustManager(className: string): void {
    if (hookedTrustManagers.has(className)) return;
    hookedTrustManagers.add(className);
    const cls = tryUse(className);
    if (cls === null || cls.checkServerTrusted === undefined) return;
    for (const overload of cls.checkServerTrusted.overloads) {
        const returnsList = overload.returnType.className === "java.util.List";
        replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
            try {
                return overload.apply(this, args);
            } catch (e) {
                const host = overload.argumentTypes.length >= 3 && overload.argumentTypes[2].className === "java.lang.String"
                    ? String(args[2]) : null;
                bypassed(`${className}.checkServerTrusted`, { host }, e);
                if (returnsList) {
                    return Java.use("java.util.Arrays").asList(args[0]);
                }
                return undefined;
            }
        });
    }
    installed.push(`${className}.checkServerTrusted`);
}

function hookConscryptVerifyChain(): void {
    const cls = tryUse("com.android.org.conscrypt.TrustManagerImpl");
    if (cls === null || cls.verifyChain === undefined) return;
    for (const overload of cls.verifyChain.overloads) {
        replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
            try {
                return overload.apply(this, args);
            } catch (e) {
                // verifyChain(untrustedChain, trustAnchorChain, host, clientAuth, ocspData, tlsSctData)
                bypassed("com.android.org.conscrypt.TrustManagerImpl.verifyChain", { host: String(args[2]) }, e);
                return args[0];
            }
        });
    }
    installed.push("com.android.org.conscrypt.TrustManagerImpl.verifyChain");
}

function hookHostnameVerifier(className: string): void {
    const cls = tryUse(className);
    if (cls === null || cls.verify === undefined) return;
    for (const overload of cls.verify.overloads) {
        if (overload.returnType.className !== "boolean") continue;
        replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
            let ok = false;
            let error: unknown = "hostname did not match the certificate";
            try {
                ok = overload.apply(this, args) as boolean;
            } catch (e) {
                error = e;
            }
            if (!ok) bypassed(`${className}.verify`, { host: String(args[0]) }, error);
            return true;
        });
    }
    installed.push(`${className}.verify`);
}

function hookSslContextInit(): void {
    const ctx = tryUse("javax.net.ssl.SSLContext");
    if (ctx === null) return;
    const init = ctx.init.overload("[Ljavax.net.ssl.KeyManager;", "[Ljavax.net.ssl.TrustManager;", "java.security.SecureRandom");
    replace(init, function (this: Java.Wrapper, km: unknown, tms: Java.Wrapper[] | null, rnd: unknown) {
        if (tms !== null) {
            for (let i = 0; i < tms.length; i++) {
                try {
                    hookTrustManager(tms[i].$className);
                } catch (e) {
                    reportError("unpin:SSLContext.init", e);
                }
            }
        }
        return init.call(this, km, tms, rnd);
    });
    installed.push("javax.net.ssl.SSLContext.init");
}

function install(): string[] {
    if (installed.length > 0) return installed.slice();
    hookPinner("okhttp3.CertificatePinner");
    hookPinner("com.android.okhttp.CertificatePinner");
    hookTrustManager("sun.security.ssl.X509TrustManagerImpl");
    hookTrustManager("com.android.org.conscrypt.TrustManagerImpl");
    hookConscryptVerifyChain();
    hookHostnameVerifier("okhttp3.internal.tls.OkHostnameVerifier");
    hookHostnameVerifier("com.android.okhttp.internal.tls.OkHostnameVerifier");
    hookSslContextInit();
    for (const name of (extraTrustManagers ?? [])) hookTrustManager(name);
    return installed.slice();
}

let extraTrustManagers: string[] | null = null;

/** Installs the unpin hooks (idempotent per class); returns the hooks in place. */
export function enable(config: { trust_managers?: string[] } = {}): string[] {
    extraTrustManagers = config.trust_managers ?? [];
    return install();
}
