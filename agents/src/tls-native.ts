// tls-native: plaintext of SSL_write / SSL_read / SSL_write_ex / SSL_read_ex in every loaded
// libssl or BoringSSL module, including modules loaded after attach (module observer).
// Events `tls:write` and `tls:read`; the plaintext is the message data.
import { capBytes, emit, reportError } from "../lib/emit.js";

interface TlsConfig {
    max_bytes?: number;
    module_pattern?: string;
}

const config: Required<TlsConfig> = { max_bytes: 65536, module_pattern: "ssl|boringssl|conscrypt|cronet" };
const hookedModules = new Set<string>();
const installed: string[] = [];
let observer: ModuleObserver | null = null;

type GetServername = NativeFunction<NativePointer, [NativePointer, number]> | null;
const TLSEXT_NAMETYPE_host_name = 0;

function serverName(getName: GetServername, ssl: NativePointer): string | null {
    if (getName === null) return null;
    const name = getName(ssl, TLSEXT_NAMETYPE_host_name);
    return name.isNull() ? null : name.readCString();
}

function describeConnection(getFd: NativeFunction<number, [NativePointer]> | null, ssl: NativePointer): Record<string, unknown> {
    if (getFd === null) return { fd: null, peer: null };
    const fd = getFd(ssl);
    if (fd < 0) return { fd: null, peer: null };
    let peer: string | null = null;
    try {
        const address = Socket.peerAddress(fd) as TcpEndpointAddress | null;
        if (address !== null && "ip" in address) peer = `${address.ip}:${address.port}`;
    } catch (_e) {
        peer = null;
    }
    return { fd, peer };
}

function send_(type: string, module: Module, fn: string, ssl: NativePointer, buf: NativePointer, n: number,
    getFd: NativeFunction<number, [NativePointer]> | null, getName: GetServername): void {
    if (n <= 0) return;
    const raw = buf.readByteArray(n);
    if (raw === null) return;
    const cut = capBytes(raw, config.max_bytes);
    emit(type, {
        function: fn, module: module.name, ssl: ssl.toString(), size: cut.size, truncated: cut.truncated,
        host: serverName(getName, ssl), ...describeConnection(getFd, ssl),
    }, cut.data);
}

function readSize(p: NativePointer): number {
    return Process.pointerSize === 8 ? p.readU64().toNumber() : p.readU32();
}

function hookModule(module: Module): void {
    if (hookedModules.has(module.path)) return;
    if (!new RegExp(config.module_pattern, "i").test(module.name)) return;
    // A module that only imports SSL_write (e.g. Python's _ssl) must not be hooked: only the
    // library that defines the functions (address inside the module) counts.
    const own = (name: string): NativePointer | null => {
        const address = module.findExportByName(name);
        if (address === null) return null;
        return address.compare(module.base) >= 0 && address.compare(module.base.add(module.size)) < 0 ? address : null;
    };
    if (own("SSL_write") === null && own("SSL_read") === null) return;
    hookedModules.add(module.path);
    const getFdPtr = own("SSL_get_fd");
    const getFd = getFdPtr === null ? null : new NativeFunction(getFdPtr, "int", ["pointer"]);
    const getNamePtr = own("SSL_get_servername");
    const getName = getNamePtr === null ? null : new NativeFunction(getNamePtr, "pointer", ["pointer", "int"]);
    const attach = (name: string, hooks: InvocationListenerCallbacks) => {
        const address = own(name);
        if (address === null) return;
        Interceptor.attach(address, hooks);
        installed.push(`${module.name}!${name}`);
    };
    // int SSL_write(SSL *ssl, const void *buf, int num) -> bytes written
    attach("SSL_write", {
        onEnter(args) { this.ssl = args[0]; this.buf = args[1]; },
        onLeave(ret) { send_("tls:write", module, "SSL_write", this.ssl, this.buf, ret.toInt32(), getFd, getName); },
    });
    // int SSL_read(SSL *ssl, void *buf, int num) -> bytes read
    attach("SSL_read", {
        onEnter(args) { this.ssl = args[0]; this.buf = args[1]; },
        onLeave(ret) { send_("tls:read", module, "SSL_read", this.ssl, this.buf, ret.toInt32(), getFd, getName); },
    });
    // int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written) -> 1 on success
    attach("SSL_write_ex", {
        onEnter(args) { this.ssl = args[0]; this.buf = args[1]; this.count = args[3]; },
        onLeave(ret) {
            if (ret.toInt32() !== 1) return;
            send_("tls:write", module, "SSL_write_ex", this.ssl, this.buf, readSize(this.count), getFd, getName);
        },
    });
    // int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes) -> 1 on success
    attach("SSL_read_ex", {
        onEnter(args) { this.ssl = args[0]; this.buf = args[1]; this.count = args[3]; },
        onLeave(ret) {
            if (ret.toInt32() !== 1) return;
            send_("tls:read", module, "SSL_read_ex", this.ssl, this.buf, readSize(this.count), getFd, getName);
        },
    });
    emit("tls:module", { module: module.name, path: module.path });
}

rpc.exports = {
    init(options: TlsConfig = {}): { hooks: string[] } {
        Object.assign(config, options);
        if (observer === null) {
            // onAdded is called for every module already loaded, then for each one loaded later.
            observer = Process.attachModuleObserver({
                onAdded(module) {
                    try {
                        hookModule(module);
                    } catch (e) {
                        reportError(`tls-native:${module.name}`, e);
                    }
                },
            });
        }
        return { hooks: installed.slice() };
    },
};
