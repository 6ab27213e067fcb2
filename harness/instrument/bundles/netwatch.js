📦
4752 /src/netwatch.js
✄
// lib/emit.ts
function emit(type, fields = {}, data) {
  const message = {
    ...fields,
    type,
    ts: Date.now(),
    pid: Process.id,
    thread: Process.getCurrentThreadId()
  };
  if (data !== void 0 && data !== null) {
    send(message, data);
  } else {
    send(message);
  }
}
function reportError(where, error) {
  const e = error;
  emit("agent:error", {
    where,
    message: e && e.message !== void 0 ? String(e.message) : String(error),
    stack: e && e.stack !== void 0 ? String(e.stack) : null
  });
}

// src/netwatch.ts
var config = { block_udp_443: false };
var AF_INET = 2;
var AF_INET6 = 10;
var SOCK_STREAM = 1;
var SOCK_DGRAM = 2;
var SOL_SOCKET = 1;
var SO_TYPE = 3;
var datagrams = /* @__PURE__ */ new Map();
var installed = [];
function parse(addr) {
  if (addr.isNull())
    return null;
  const family = addr.readU16();
  const port = addr.add(2).readU8() << 8 | addr.add(3).readU8();
  if (family === AF_INET) {
    const ip = Array.from(new Uint8Array(addr.add(4).readByteArray(4))).join(".");
    return { ip, port, destination: `${ip}:${port}` };
  }
  if (family === AF_INET6) {
    const b = new Uint8Array(addr.add(8).readByteArray(16));
    const groups = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((b[i] << 8 | b[i + 1]).toString(16));
    let ip = groups.join(":");
    if (ip.startsWith("0:0:0:0:0:ffff:"))
      ip = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return { ip, port, destination: ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}` };
  }
  return null;
}
function install() {
  const getsockopt = new NativeFunction(Module.getGlobalExportByName("getsockopt"), "int", ["int", "int", "int", "pointer", "pointer"]);
  const socketType = (fd) => {
    const value = Memory.alloc(4);
    const len = Memory.alloc(4);
    len.writeU32(4);
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, value, len) === 0 ? value.readS32() : -1;
  };
  const protocol = (fd) => {
    const type = socketType(fd) & 15;
    return type === SOCK_STREAM ? "tcp" : type === SOCK_DGRAM ? "udp" : null;
  };
  const getsockname = new NativeFunction(Module.getGlobalExportByName("getsockname"), "int", ["int", "pointer", "pointer"]);
  const localOf = (fd) => {
    const addr = Memory.alloc(128);
    const len = Memory.alloc(4);
    len.writeU32(128);
    if (getsockname(fd, addr, len) !== 0)
      return null;
    const me = parse(addr);
    return me === null ? null : me.destination;
  };
  const blocked = (args, dst, proto, via) => {
    if (!config.block_udp_443 || proto !== "udp" || dst.port !== 443)
      return false;
    args[0] = ptr(-1);
    emit("netwatch:udp443-blocked", { destination: dst.destination, ip: dst.ip, port: dst.port, via });
    return true;
  };
  Interceptor.attach(Module.getGlobalExportByName("connect"), {
    onEnter(args) {
      this.dst = null;
      try {
        const dst = parse(args[1]);
        if (dst === null)
          return;
        const fd = args[0].toInt32();
        const proto = protocol(fd);
        if (proto === null)
          return;
        if (blocked(args, dst, proto, "connect"))
          return;
        this.dst = dst;
        this.fd = fd;
        this.proto = proto;
      } catch (e) {
        reportError("netwatch:connect", e);
      }
    },
    onLeave(ret) {
      const dst = this.dst;
      if (dst === null)
        return;
      const result = ret.toInt32();
      emit("netwatch:connect", {
        destination: dst.destination,
        ip: dst.ip,
        port: dst.port,
        protocol: this.proto,
        fd: this.fd,
        result,
        errno: result === 0 ? 0 : this.errno,
        local: localOf(this.fd)
      });
    }
  });
  Interceptor.attach(Module.getGlobalExportByName("sendto"), {
    onEnter(args) {
      try {
        const dst = parse(args[4]);
        if (dst === null)
          return;
        const proto = protocol(args[0].toInt32());
        if (proto !== "udp")
          return;
        if (blocked(args, dst, proto, "sendto"))
          return;
        const count = (datagrams.get(dst.destination) ?? 0) + 1;
        datagrams.set(dst.destination, count);
        if (count === 1 || count % 100 === 0) {
          emit("netwatch:sendto", {
            destination: dst.destination,
            ip: dst.ip,
            port: dst.port,
            protocol: proto,
            size: args[2].toInt32(),
            count
          });
        }
      } catch (e) {
        reportError("netwatch:sendto", e);
      }
    }
  });
  return ["libc!connect", "libc!sendto"];
}
rpc.exports = {
  init(options = {}) {
    Object.assign(config, options);
    if (installed.length === 0)
      installed = install();
    return { hooks: installed, block_udp_443: config.block_udp_443 };
  }
};
