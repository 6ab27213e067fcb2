// netwatch: where the app's sockets go, for the interception-coverage account (issue 16).
//
// libc connect() and sendto() are watched (Interceptor.attach, so it combines with `redirect`):
// `netwatch:connect` {destination "ip:port" / "[v6]:port", ip, port, protocol "tcp"|"udp", fd, result,
// errno, local: the socket's own "ip:port" (getsockname), which is the client address the proxy
// records for a connection it handled} for every connect() of an AF_INET/AF_INET6 socket; `netwatch:sendto` {destination, ip, port,
// protocol "udp", size, count} for the first datagram to a destination and then every 100th
// (count = datagrams so far). The host stamps each event with the step it arrived in;
// harness.analysis.coverage compares the destinations with the proxy's flows.
//
// Option block_udp_443 (default false): UDP datagrams and UDP connect()s to port 443 fail
// (EBADF: the call is made on fd -1), so HTTP/3 (QUIC) clients fall back to TCP through the proxy;
// each blocked call is reported as `netwatch:udp443-blocked`.
import { emit, reportError } from "../lib/emit.js";

interface NetwatchConfig {
    block_udp_443?: boolean;
}

const config: Required<NetwatchConfig> = { block_udp_443: false };
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const datagrams = new Map<string, number>();
let installed: string[] = [];

type Endpoint = { ip: string; port: number; destination: string };

function parse(addr: NativePointer): Endpoint | null {
    if (addr.isNull()) return null;
    const family = addr.readU16();
    const port = (addr.add(2).readU8() << 8) | addr.add(3).readU8();
    if (family === AF_INET) {
        const ip = Array.from(new Uint8Array(addr.add(4).readByteArray(4) as ArrayBuffer)).join(".");
        return { ip, port, destination: `${ip}:${port}` };
    }
    if (family === AF_INET6) {
        const b = new Uint8Array(addr.add(8).readByteArray(16) as ArrayBuffer);
        const groups: string[] = [];
        for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
        let ip = groups.join(":");
        if (ip.startsWith("0:0:0:0:0:ffff:")) ip = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`; // v4-mapped
        return { ip, port, destination: ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}` };
    }
    return null;
}

function install(): string[] {
    const getsockopt = new NativeFunction(Module.getGlobalExportByName("getsockopt"), "int",
        ["int", "int", "int", "pointer", "pointer"]);
    const socketType = (fd: number): number => {
        const value = Memory.alloc(4);
        const len = Memory.alloc(4);
        len.writeU32(4);
        return getsockopt(fd, SOL_SOCKET, SO_TYPE, value, len) === 0 ? value.readS32() : -1;
    };
    const protocol = (fd: number): string | null => {
        const type = socketType(fd) & 0xf;
        return type === SOCK_STREAM ? "tcp" : type === SOCK_DGRAM ? "udp" : null;
    };
    const getsockname = new NativeFunction(Module.getGlobalExportByName("getsockname"), "int", ["int", "pointer", "pointer"]);
    const localOf = (fd: number): string | null => {
        const addr = Memory.alloc(128);
        const len = Memory.alloc(4);
        len.writeU32(128);
        if (getsockname(fd, addr, len) !== 0) return null;
        const me = parse(addr);
        return me === null ? null : me.destination;
    };
    const blocked = (args: InvocationArguments, dst: Endpoint, proto: string, via: string): boolean => {
        if (!config.block_udp_443 || proto !== "udp" || dst.port !== 443) return false;
        args[0] = ptr(-1);
        emit("netwatch:udp443-blocked", { destination: dst.destination, ip: dst.ip, port: dst.port, via });
        return true;
    };
    Interceptor.attach(Module.getGlobalExportByName("connect"), {
        onEnter(args) {
            this.dst = null;
            try {
                const dst = parse(args[1]);
                if (dst === null) return;
                const fd = args[0].toInt32();
                const proto = protocol(fd);
                if (proto === null) return;
                if (blocked(args, dst, proto, "connect")) return;
                this.dst = dst;
                this.fd = fd;
                this.proto = proto;
            } catch (e) {
                reportError("netwatch:connect", e);
            }
        },
        onLeave(ret) {
            const dst = this.dst as Endpoint | null;
            if (dst === null) return;
            const result = ret.toInt32();
            emit("netwatch:connect", {
                destination: dst.destination, ip: dst.ip, port: dst.port, protocol: this.proto, fd: this.fd,
                result, errno: result === 0 ? 0 : (this as unknown as UnixInvocationContext).errno,
                local: localOf(this.fd as number),
            });
        },
    });
    Interceptor.attach(Module.getGlobalExportByName("sendto"), {
        onEnter(args) {
            try {
                const dst = parse(args[4]);
                if (dst === null) return;
                const proto = protocol(args[0].toInt32());
                if (proto !== "udp") return;
                if (blocked(args, dst, proto, "sendto")) return;
                const count = (datagrams.get(dst.destination) ?? 0) + 1;
                datagrams.set(dst.destination, count);
                if (count === 1 || count % 100 === 0) {
                    emit("netwatch:sendto", { destination: dst.destination, ip: dst.ip, port: dst.port, protocol: proto,
                        size: args[2].toInt32(), count });
                }
            } catch (e) {
                reportError("netwatch:sendto", e);
            }
        },
    });
    return ["libc!connect", "libc!sendto"];
}

rpc.exports = {
    init(options: NetwatchConfig = {}): { hooks: string[]; block_udp_443: boolean } {
        Object.assign(config, options);
        if (installed.length === 0) installed = install();
        return { hooks: installed, block_udp_443: config.block_udp_443 };
    },
};
