// tls-keylog: TLS session secrets in the NSS key-log format (SSLKEYLOGFILE), for traffic that does
// not go through the proxy, so a packet capture of it can be decrypted (Wireshark/tshark
// `tls.keylog_file`).
//
// In every library that defines SSL_new and SSL_CTX_set_keylog_callback (OpenSSL 1.1.1+, BoringSSL;
// also libraries loaded later), SSL_new(ctx) is hooked: before the connection is created, the
// context gets our key-log callback (libssl calls it with one NSS line per secret, e.g.
// "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>"). A callback the app set itself is
// kept and still called. Event `tls:keylog` {line, label, module, ssl}; `tls:module` when a
// library is hooked.
import { emit, reportError } from "../lib/emit.js";

interface KeylogConfig {
    module_pattern?: string;
}

const config: Required<KeylogConfig> = { module_pattern: "ssl|boringssl|conscrypt|cronet|flutter" };
const hookedModules = new Set<string>();
const installed: string[] = [];
let observer: ModuleObserver | null = null;
// callbacks must stay alive as long as libssl may call them: kept for the life of the script
const callbacks: NativeCallback<"void", ["pointer", "pointer"]>[] = [];

function hookModule(module: Module): void {
    if (hookedModules.has(module.path)) return;
    if (!new RegExp(config.module_pattern, "i").test(module.name)) return;
    const own = (name: string): NativePointer | null => {
        const address = module.findExportByName(name);
        if (address === null) return null;
        return address.compare(module.base) >= 0 && address.compare(module.base.add(module.size)) < 0 ? address : null;
    };
    const sslNew = own("SSL_new");
    const setCb = own("SSL_CTX_set_keylog_callback");
    const getCb = own("SSL_CTX_get_keylog_callback");
    if (sslNew === null || setCb === null) return;
    hookedModules.add(module.path);
    const setKeylog = new NativeFunction(setCb, "void", ["pointer", "pointer"]);
    const getKeylog = getCb === null ? null : new NativeFunction(getCb, "pointer", ["pointer"]);
    const chained = new Map<string, NativeFunction<void, [NativePointer, NativePointer]>>();
    const callback = new NativeCallback((ssl: NativePointer, line: NativePointer) => {
        try {
            const text = line.readCString() ?? "";
            emit("tls:keylog", { line: text, label: text.split(" ", 1)[0], module: module.name, ssl: ssl.toString() });
        } catch (e) {
            reportError("tls-keylog:callback", e);
        }
    }, "void", ["pointer", "pointer"]);
    callbacks.push(callback);
    Interceptor.attach(sslNew, {
        onEnter(args) {
            const ctx = args[0];
            if (ctx.isNull()) return;
            try {
                const current = getKeylog === null ? NULL : getKeylog(ctx);
                if (current.equals(callback)) return;
                if (!current.isNull() && !chained.has(ctx.toString())) {
                    // the app logs keys itself: keep its callback, called from ours
                    const original = new NativeFunction(current, "void", ["pointer", "pointer"]);
                    chained.set(ctx.toString(), original);
                    const both = new NativeCallback((ssl: NativePointer, line: NativePointer) => {
                        original(ssl, line);
                        (callback as unknown as NativeFunction<void, [NativePointer, NativePointer]>)(ssl, line);
                    }, "void", ["pointer", "pointer"]);
                    callbacks.push(both);
                    setKeylog(ctx, both);
                    return;
                }
                if (current.isNull()) setKeylog(ctx, callback);
            } catch (e) {
                reportError("tls-keylog:SSL_new", e);
            }
        },
    });
    installed.push(`${module.name}!SSL_new`);
    emit("tls:module", { module: module.name, path: module.path });
}

rpc.exports = {
    init(options: KeylogConfig = {}): { hooks: string[] } {
        Object.assign(config, options);
        if (observer === null) {
            observer = Process.attachModuleObserver({
                onAdded(module) {
                    try {
                        hookModule(module);
                    } catch (e) {
                        reportError(`tls-keylog:${module.name}`, e);
                    }
                },
            });
        }
        return { hooks: installed.slice() };
    },
};
