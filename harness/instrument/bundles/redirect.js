📦
8702 /src/redirect.js
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

// src/redirect.ts
var config = {
  proxy_host: "127.0.0.1",
  proxy_port: 0,
  ports: [80, 443],
  block_quic: true,
  timeout_seconds: 5
};
var AF_INET = 2;
var AF_INET6 = 10;
var SOCK_STREAM = 1;
var SOCK_DGRAM = 2;
var SOL_SOCKET = 1;
var SO_TYPE = 3;
var SO_RCVTIMEO = 20;
var SO_SNDTIMEO = 21;
var F_GETFL = 3;
var F_SETFL = 4;
var O_NONBLOCK = 2048;
var ENETUNREACH = 101;
var ECONNREFUSED = 111;
var QUIC_PORT = 443;
function libc(name) {
  return Module.getGlobalExportByName(name);
}
var installedHooks = [];
function errnoPointer() {
  const where = Module.findGlobalExportByName("__errno_location") ?? Module.getGlobalExportByName("__errno");
  return new NativeFunction(where, "pointer", [])();
}
function setErrno(context, value) {
  if ("errno" in context) {
    context.errno = value;
  } else {
    errnoPointer().writeS32(value);
  }
}
function parseSockaddr(addr) {
  if (addr.isNull())
    return null;
  const family = addr.readU16();
  const port = addr.add(2).readU8() << 8 | addr.add(3).readU8();
  if (family === AF_INET) {
    const b = new Uint8Array(addr.add(4).readByteArray(4));
    return { family, ip: Array.from(b).join("."), port };
  }
  if (family === AF_INET6) {
    const b = new Uint8Array(addr.add(8).readByteArray(16));
    const groups = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((b[i] << 8 | b[i + 1]).toString(16));
    return { family, ip: groups.join(":"), port };
  }
  return null;
}
function ipv4Bytes(ip) {
  return ip.split(".").map((x) => parseInt(x, 10) & 255);
}
function proxySockaddr(family) {
  const ip = ipv4Bytes(config.proxy_host);
  if (family === AF_INET6) {
    const addr2 = Memory.alloc(28);
    addr2.writeU16(AF_INET6);
    addr2.add(2).writeU8(config.proxy_port >> 8).add(1).writeU8(config.proxy_port & 255);
    addr2.add(8 + 10).writeU8(255).add(1).writeU8(255);
    addr2.add(8 + 12).writeByteArray(ip);
    return { addr: addr2, len: 28 };
  }
  const addr = Memory.alloc(16);
  addr.writeU16(AF_INET);
  addr.add(2).writeU8(config.proxy_port >> 8).add(1).writeU8(config.proxy_port & 255);
  addr.add(4).writeByteArray(ip);
  return { addr, len: 16 };
}
function install() {
  const connectPtr = Module.getGlobalExportByName("connect");
  const sendtoPtr = Module.getGlobalExportByName("sendto");
  const connect = new NativeFunction(connectPtr, "int", ["int", "pointer", "uint"]);
  const sendto = new NativeFunction(sendtoPtr, "long", ["int", "pointer", "ulong", "int", "pointer", "uint"]);
  const getsockopt = new NativeFunction(libc("getsockopt"), "int", ["int", "int", "int", "pointer", "pointer"]);
  const setsockopt = new NativeFunction(libc("setsockopt"), "int", ["int", "int", "int", "pointer", "uint"]);
  const fcntl = new NativeFunction(libc("fcntl"), "int", ["int", "int", "...", "int"]);
  const send2 = new NativeFunction(libc("send"), "long", ["int", "pointer", "ulong", "int"]);
  const recv = new NativeFunction(libc("recv"), "long", ["int", "pointer", "ulong", "int"]);
  const socketType = (fd) => {
    const value = Memory.alloc(4);
    const len = Memory.alloc(4);
    len.writeU32(4);
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, value, len) === 0 ? value.readS32() : -1;
  };
  const setTimeouts = (fd, seconds) => {
    const tv = Memory.alloc(Process.pointerSize * 2);
    if (Process.pointerSize === 8)
      tv.writeU64(seconds);
    else
      tv.writeU32(seconds);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, Process.pointerSize * 2);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, Process.pointerSize * 2);
  };
  const sendAll = (fd, bytes) => {
    const buf = Memory.alloc(bytes.length);
    buf.writeByteArray(bytes);
    let done = 0;
    while (done < bytes.length) {
      const n = Number(send2(fd, buf.add(done), bytes.length - done, 0));
      if (n <= 0)
        return false;
      done += n;
    }
    return true;
  };
  const recvExactly = (fd, count) => {
    const buf = Memory.alloc(count);
    let done = 0;
    while (done < count) {
      const n = Number(recv(fd, buf.add(done), count - done, 0));
      if (n <= 0)
        return null;
      done += n;
    }
    return Array.from(new Uint8Array(buf.readByteArray(count)));
  };
  const socksConnect = (fd, dst, dstAddr) => {
    if (!sendAll(fd, [5, 1, 0]))
      return "proxy closed during SOCKS5 greeting";
    const hello = recvExactly(fd, 2);
    if (hello === null || hello[0] !== 5 || hello[1] !== 0)
      return "proxy refused SOCKS5 (no-auth) greeting";
    const port = [dst.port >> 8, dst.port & 255];
    const request = dst.family === AF_INET ? [5, 1, 0, 1, ...ipv4Bytes(dst.ip), ...port] : [5, 1, 0, 4, ...Array.from(new Uint8Array(dstAddr.add(8).readByteArray(16))), ...port];
    if (!sendAll(fd, request))
      return "proxy closed during SOCKS5 request";
    const head = recvExactly(fd, 4);
    if (head === null || head[0] !== 5)
      return "proxy sent no SOCKS5 reply";
    if (head[1] !== 0)
      return `proxy answered SOCKS5 status ${head[1]}`;
    const rest = head[3] === 1 ? 6 : head[3] === 4 ? 18 : (recvExactly(fd, 1) ?? [0])[0] + 2;
    if (recvExactly(fd, rest) === null)
      return "proxy closed during SOCKS5 reply";
    return null;
  };
  const wanted = (dst) => {
    if (dst.port === config.proxy_port && (dst.ip === config.proxy_host || dst.ip.endsWith(`:${config.proxy_host}`))) {
      return false;
    }
    return config.ports === null || config.ports.includes(dst.port);
  };
  const quicBlocked = (fd, dst, via) => {
    if (!config.block_quic || dst.port !== QUIC_PORT || socketType(fd) !== SOCK_DGRAM)
      return false;
    emit("redirect:quic-blocked", { destination: `${dst.ip}:${dst.port}`, via });
    return true;
  };
  Interceptor.replace(connectPtr, new NativeCallback(function(fd, addr, len) {
    let dst = null;
    try {
      dst = parseSockaddr(addr);
      if (dst === null)
        return connect(fd, addr, len);
      if (quicBlocked(fd, dst, "connect")) {
        setErrno(this, ENETUNREACH);
        return -1;
      }
      if (socketType(fd) !== SOCK_STREAM || !wanted(dst))
        return connect(fd, addr, len);
    } catch (e) {
      reportError("redirect:connect", e);
      return connect(fd, addr, len);
    }
    const flags = fcntl(fd, F_GETFL, 0);
    if (flags & O_NONBLOCK)
      fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    setTimeouts(fd, config.timeout_seconds);
    const proxy = proxySockaddr(dst.family);
    let failure = null;
    if (connect(fd, proxy.addr, proxy.len) !== 0) {
      failure = `cannot connect to the proxy at ${config.proxy_host}:${config.proxy_port} (errno ${errnoPointer().readS32()})`;
    } else {
      failure = socksConnect(fd, dst, addr);
    }
    setTimeouts(fd, 0);
    if (flags & O_NONBLOCK)
      fcntl(fd, F_SETFL, flags);
    const destination = dst.family === AF_INET ? `${dst.ip}:${dst.port}` : `[${dst.ip}]:${dst.port}`;
    if (failure !== null) {
      emit("redirect:failed", { destination, proxy: `${config.proxy_host}:${config.proxy_port}`, error: failure });
      setErrno(this, ECONNREFUSED);
      return -1;
    }
    emit("redirect:connect", { destination, proxy: `${config.proxy_host}:${config.proxy_port}`, fd });
    return 0;
  }, "int", ["int", "pointer", "uint"]));
  Interceptor.replace(sendtoPtr, new NativeCallback(function(fd, buf, n, flags, addr, len) {
    try {
      const dst = parseSockaddr(addr);
      if (dst !== null && quicBlocked(fd, dst, "sendto")) {
        setErrno(this, ENETUNREACH);
        return -1;
      }
    } catch (e) {
      reportError("redirect:sendto", e);
    }
    return Number(sendto(fd, buf, n, flags, addr, len));
  }, "long", ["int", "pointer", "ulong", "int", "pointer", "uint"]));
  return ["libc!connect", "libc!sendto"];
}
rpc.exports = {
  init(options = {}) {
    Object.assign(config, options);
    if (!config.proxy_port)
      throw new Error("redirect needs proxy_port (the proxy's SOCKS5 listener)");
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(config.proxy_host)) {
      throw new Error(`redirect needs an IPv4 proxy_host, got ${config.proxy_host}`);
    }
    if (installedHooks.length === 0)
      installedHooks = install();
    return { hooks: installedHooks };
  }
};
