// unpin: defeat certificate pinning and custom trust checks so the proxy's certificate is accepted.
// Each hook first runs the app's own check; only when that check fails is the failure swallowed and
// reported as `unpin:bypassed` {target, mechanism, host, error} (so events list exactly what was
// bypassed). The mechanisms are the rows of mechanisms.ts; classes are looked up in every class
// loader of the process (an app's libraries may live in a loader of their own).
import Java from "frida-java-bridge";
import { emit, reportError } from "../../lib/emit.js";
import { replace } from "../../lib/hooks.js";
import { HostFrom, MECHANISMS, Mechanism } from "./mechanisms.js";

const installed: string[] = [];
const hookedClasses = new Set<string>();

function describe(e: unknown): string {
    const err = e as { message?: string };
    return err && err.message !== undefined ? String(err.message) : String(e);
}

/** Every loaded class named `name`, once per defining class loader. */
function classesNamed(name: string): Java.Wrapper[] {
    const found: Java.Wrapper[] = [];
    const seen = new Set<number>();
    const System = Java.use("java.lang.System");
    const add = (wrapper: Java.Wrapper) => {
        const id = System.identityHashCode(wrapper.class) as number;
        if (!seen.has(id)) {
            seen.add(id);
            found.push(wrapper);
        }
    };
    try {
        add(Java.use(name));
    } catch (_e) { /* not in the default loader */ }
    for (const loader of loadersOf(name)) {
        try {
            add(Java.ClassFactory.get(loader).use(name));
        } catch (_e) { /* not in this loader */ }
    }
    return found;
}

/**
 * Class loaders that may define `name`. On HotSpot, `Java.enumerateClassLoaders` is a heap walk
 * (`Java.choose("java.lang.ClassLoader")`) that tags every loader with the value of a JNI handle
 * and never clears the tags; a later `Java.choose` whose class handle happens to have the same
 * value then also returns those loaders and fails with "Cast from ...AppClassLoader to ...". So on
 * HotSpot the loaders come from the loaded classes named `name` (JVMTI GetLoadedClasses: no
 * tags); on ART, from `Java.enumerateClassLoaders`.
 */
function loadersOf(name: string): Java.Wrapper[] {
    const flavor = (Java as unknown as { api: { flavor: string } | null }).api?.flavor;
    if (flavor !== "jvm") {
        if (allLoaders === null) allLoaders = Java.enumerateClassLoadersSync();
        return allLoaders;
    }
    return jvmLoaderIndex().get(name) ?? [];
}

/** ART: every class loader, enumerated once per install. */
let allLoaders: Java.Wrapper[] | null = null;

/** HotSpot: class name -> the loaders of the loaded classes of that name, built once per install. */
let loaderIndex: Map<string, Java.Wrapper[]> | null = null;

function jvmLoaderIndex(): Map<string, Java.Wrapper[]> {
    if (loaderIndex !== null) return loaderIndex;
    const System = Java.use("java.lang.System");
    const ClassClass = Java.use("java.lang.Class");
    const byId = new Map<number, Java.Wrapper>();
    const index = new Map<string, Java.Wrapper[]>();
    Java.enumerateLoadedClasses({
        onMatch(className: string, handle: NativePointer) {
            const found = Java.cast(handle, ClassClass).getClassLoader();
            if (found === null) return;
            const id = System.identityHashCode(found) as number;
            let loader = byId.get(id);
            if (loader === undefined) {
                loader = found as Java.Wrapper;
                byId.set(id, loader);
            }
            const list = index.get(className);
            if (list === undefined) index.set(className, [loader]);
            else list.push(loader);
        },
        onComplete() { /* nothing */ },
    });
    loaderIndex = index;
    return index;
}

function elements(value: unknown): Java.Wrapper[] {
    if (value === null || value === undefined) return [];
    const w = value as Java.Wrapper;
    if (typeof (w as { length?: unknown }).length === "number") {
        const out: Java.Wrapper[] = [];
        for (let i = 0; i < (w as unknown as ArrayLike<Java.Wrapper>).length; i++) out.push((w as unknown as ArrayLike<Java.Wrapper>)[i]);
        return out;
    }
    if (w.$className !== undefined && Java.use("java.util.List").class.isInstance(w)) {
        const list = Java.cast(w, Java.use("java.util.List"));
        const out: Java.Wrapper[] = [];
        for (let i = 0; i < (list.size() as number); i++) out.push(list.get(i));
        return out;
    }
    return [];
}

function hostFromChain(chain: unknown): string | null {
    const first = elements(chain)[0];
    if (first === undefined) return null;
    const cert = Java.cast(first, Java.use("java.security.cert.X509Certificate"));
    const names = cert.getSubjectAlternativeNames();
    if (names !== null) {
        const it = names.iterator();
        if (it.hasNext()) return String(Java.cast(it.next(), Java.use("java.util.List")).get(1));
    }
    return String(cert.getSubjectX500Principal().getName());
}

function hostOf(from: HostFrom, self: Java.Wrapper, args: unknown[], chainIndex: number): string | null {
    try {
        if (typeof from === "number") return args[from] === null ? null : String(args[from]);
        switch (from) {
            case "session":
                return String(Java.cast(args[1] as Java.Wrapper, Java.use("javax.net.ssl.SSLSession")).getPeerHost());
            case "socket": {
                const peer = args[2] as Java.Wrapper | undefined;
                if (peer !== undefined && peer !== null) {
                    if (Java.use("javax.net.ssl.SSLSocket").class.isInstance(peer)) {
                        const socket = Java.cast(peer, Java.use("javax.net.ssl.SSLSocket"));
                        return String(socket.getHandshakeSession().getPeerHost());
                    }
                    if (Java.use("javax.net.ssl.SSLEngine").class.isInstance(peer)) {
                        return String(Java.cast(peer, Java.use("javax.net.ssl.SSLEngine")).getPeerHost());
                    }
                }
                return hostFromChain(args[chainIndex]);
            }
            case "chain":
                return hostFromChain(args[chainIndex]);
            case "url":
                return String(Java.use("java.net.URI").create((args[2] as Java.Wrapper).getUrl()).getHost());
            case "this":
                return String(self.getHostname());
            default:
                return null;
        }
    } catch (e) {
        return `? (${describe(e)})`;
    }
}

function bypassed(m: Mechanism, target: string, host: string | null, error: unknown): void {
    emit("unpin:bypassed", { target, mechanism: m.name, host, error: describe(error) });
}

function chainAsList(value: unknown): Java.Wrapper {
    const list = Java.use("java.util.ArrayList").$new();
    for (const element of elements(value)) list.add(element);
    return list;
}

function hookOverload(m: Mechanism, target: string, overload: Java.Method): void {
    const chainIndex = m.chain ?? 0;
    const hostFrom = overload.argumentTypes.length === 2 && m.host === "socket" ? "chain" : m.host;
    replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
        switch (m.strategy) {
            case "proceed": {
                // WebViewClient's default cancels the load; a lab wants it to go on
                bypassed(m, target, hostOf(hostFrom, this, args, chainIndex), `SSL error ${String(args[2])}`);
                (args[1] as Java.Wrapper).proceed();
                return undefined;
            }
            case "nopins":
                bypassed(m, target, hostOf(hostFrom, this, args, chainIndex), "public key pins not added");
                return this;
            case "learn": {
                for (const arg of args) {
                    try {
                        const objs = elements(arg);
                        for (const obj of objs.length > 0 ? objs : [arg as Java.Wrapper]) {
                            if (obj !== null && obj !== undefined && obj.$className !== undefined) learn(m, obj);
                        }
                    } catch (e) {
                        reportError(`unpin:${m.name}`, e);
                    }
                }
                return overload.apply(this, args);
            }
            case "bool": {
                let error: unknown = "the check returned false";
                try {
                    if (overload.apply(this, args) === true) return true;
                } catch (e) {
                    error = e;
                }
                bypassed(m, target, hostOf(hostFrom, this, args, chainIndex), error);
                return true;
            }
            default:
                try {
                    return overload.apply(this, args);
                } catch (e) {
                    bypassed(m, target, hostOf(hostFrom, this, args, chainIndex), e);
                    if (m.strategy === "arg0") return args[0];
                    if (m.strategy === "list") return chainAsList(args[chainIndex]);
                    return undefined;
                }
        }
    });
}

function hookMethod(m: Mechanism, cls: Java.Wrapper, className: string, method: string): boolean {
    const methods = cls[method];
    if (methods === undefined || methods.overloads === undefined) return false;
    let any = false;
    for (const overload of methods.overloads as Java.Method[]) {
        const types = overload.argumentTypes.map((t) => String(t.className));
        if (m.args !== undefined && types.join(",") !== m.args.join(",")) continue;
        if (m.strategy === "bool" && overload.returnType.className !== "boolean") continue;
        hookOverload(m, `${className}.${method}`, overload);
        any = true;
    }
    return any;
}

/** Hooks the trust manager / hostname verifier class of an object the app installed. */
function learn(m: Mechanism, obj: Java.Wrapper): void {
    const className = obj.$className as string;
    if (className.startsWith("sun.security.") || className.startsWith("com.android.org.conscrypt.")) return;
    const key = `${m.name}:${className}`;
    if (hookedClasses.has(key)) return;
    const loader = obj.getClass().getClassLoader();
    const cls = loader === null ? Java.use(className) : Java.ClassFactory.get(loader).use(className);
    const learned: Mechanism = m.method === "init"
        ? { ...m, strategy: "void", host: "socket" }
        : { ...m, strategy: "bool", host: 0 };
    const method = m.method === "init" ? "checkServerTrusted" : "verify";
    if (m.method === "init") {
        // X509TrustManager: checkServerTrusted(chain, authType[, socket|engine]); a List result is the chain
        const methods = cls[method];
        if (methods === undefined) return;
        hookedClasses.add(key);
        for (const overload of methods.overloads as Java.Method[]) {
            const returnsList = overload.returnType.className === "java.util.List";
            hookOverload({ ...learned, strategy: returnsList ? "list" : "void" }, `${className}.${method}`, overload);
        }
    } else {
        hookedClasses.add(key);
        hookMethod(learned, cls, className, method);
    }
    installed.push(`${className}.${method}`);
    emit("unpin:hooked", { mechanism: m.name, target: `${className}.${method}` });
}

function install(extraTrustManagers: string[]): string[] {
    loaderIndex = null;  // classes and loaders that appeared since the last install count too
    allLoaders = null;
    for (const m of MECHANISMS) {
        const key = `${m.name}:${m.cls}`;
        if (hookedClasses.has(key)) continue;
        for (const cls of classesNamed(m.cls)) {
            try {
                if (hookMethod(m, cls, m.cls, m.method)) {
                    hookedClasses.add(key);
                    installed.push(`${m.cls}.${m.method}`);
                }
            } catch (e) {
                reportError(`unpin:${m.name}`, e);
            }
        }
    }
    hookLoadedImplementations();
    const custom: Mechanism = { name: "configured-trust-manager", cls: "", method: "init", strategy: "learn", host: "socket" };
    for (const name of extraTrustManagers) {
        for (const cls of classesNamed(name)) {
            const methods = cls.checkServerTrusted;
            if (methods === undefined) continue;
            for (const overload of methods.overloads as Java.Method[]) {
                const returnsList = overload.returnType.className === "java.util.List";
                hookOverload({ ...custom, strategy: returnsList ? "list" : "void" }, `${name}.checkServerTrusted`, overload);
            }
            installed.push(`${name}.checkServerTrusted`);
        }
    }
    return Array.from(new Set(installed));
}

const PLATFORM_PREFIXES = ["java.", "javax.", "jdk.", "sun.", "com.sun.", "android.", "com.android.", "dalvik.",
    "okhttp3.", "okio.", "kotlin.", "org.conscrypt."];

/**
 * The app's own X509TrustManager / HostnameVerifier classes that are already loaded: hooked at once
 * (mechanisms `custom-trust-manager`, `custom-hostname-verifier`). Classes loaded later are found
 * where they are installed (the `learn` rows), which takes effect from their next use on.
 */
function hookLoadedImplementations(): void {
    const known = new Set(MECHANISMS.map((m) => m.cls));
    const trustManager = Java.use("javax.net.ssl.X509TrustManager").class;
    const verifier = Java.use("javax.net.ssl.HostnameVerifier").class;
    for (const name of Java.enumerateLoadedClassesSync()) {
        if (known.has(name) || PLATFORM_PREFIXES.some((p) => name.startsWith(p)) || name.includes("$$Lambda")) continue;
        for (const cls of classesNamed(name)) {
            try {
                const isTm = trustManager.isAssignableFrom(cls.class) as boolean;
                const isHv = !isTm && (verifier.isAssignableFrom(cls.class) as boolean);
                if (!isTm && !isHv) continue;
                const key = `custom:${name}`;
                if (hookedClasses.has(key)) continue;
                hookedClasses.add(key);
                const m: Mechanism = isTm
                    ? { name: "custom-trust-manager", cls: name, method: "checkServerTrusted", strategy: "void", host: "socket" }
                    : { name: "custom-hostname-verifier", cls: name, method: "verify", strategy: "bool", host: 0,
                        args: ["java.lang.String", "javax.net.ssl.SSLSession"] };
                const methods = cls[m.method];
                if (methods === undefined) continue;
                for (const overload of methods.overloads as Java.Method[]) {
                    const types = overload.argumentTypes.map((t) => String(t.className));
                    if (m.args !== undefined && types.join(",") !== m.args.join(",")) continue;
                    const returnsList = overload.returnType.className === "java.util.List";
                    hookOverload({ ...m, strategy: isTm ? (returnsList ? "list" : "void") : "bool" }, `${name}.${m.method}`, overload);
                }
                installed.push(`${name}.${m.method}`);
            } catch (e) {
                reportError(`unpin:${name}`, e);
            }
        }
    }
}

/** Installs the unpin hooks (idempotent per class); returns the hooks in place. */
export function enable(config: { trust_managers?: string[] } = {}): string[] {
    return install(config.trust_managers ?? []);
}

/** The mechanism table (for the host and the docs). */
export function mechanisms(): Mechanism[] {
    return MECHANISMS;
}
