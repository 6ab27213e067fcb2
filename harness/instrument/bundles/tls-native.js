📦
4646 /src/tls-native.js
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
function capBytes(bytes, cap) {
  const size = bytes.byteLength;
  if (cap >= 0 && size > cap) {
    return { data: bytes.slice(0, cap), size, truncated: true };
  }
  return { data: bytes, size, truncated: false };
}

// src/tls-native.ts
var config = { max_bytes: 65536, module_pattern: "ssl|boringssl|conscrypt|cronet" };
var hookedModules = /* @__PURE__ */ new Set();
var installed = [];
var observer = null;
var TLSEXT_NAMETYPE_host_name = 0;
function serverName(getName, ssl) {
  if (getName === null)
    return null;
  const name = getName(ssl, TLSEXT_NAMETYPE_host_name);
  return name.isNull() ? null : name.readCString();
}
function describeConnection(getFd, ssl) {
  if (getFd === null)
    return { fd: null, peer: null };
  const fd = getFd(ssl);
  if (fd < 0)
    return { fd: null, peer: null };
  let peer = null;
  try {
    const address = Socket.peerAddress(fd);
    if (address !== null && "ip" in address)
      peer = `${address.ip}:${address.port}`;
  } catch (_e) {
    peer = null;
  }
  return { fd, peer };
}
function send_(type, module, fn, ssl, buf, n, getFd, getName) {
  if (n <= 0)
    return;
  const raw = buf.readByteArray(n);
  if (raw === null)
    return;
  const cut = capBytes(raw, config.max_bytes);
  emit(type, {
    function: fn,
    module: module.name,
    ssl: ssl.toString(),
    size: cut.size,
    truncated: cut.truncated,
    host: serverName(getName, ssl),
    ...describeConnection(getFd, ssl)
  }, cut.data);
}
function readSize(p) {
  return Process.pointerSize === 8 ? p.readU64().toNumber() : p.readU32();
}
function hookModule(module) {
  if (hookedModules.has(module.path))
    return;
  if (!new RegExp(config.module_pattern, "i").test(module.name))
    return;
  const own = (name) => {
    const address = module.findExportByName(name);
    if (address === null)
      return null;
    return address.compare(module.base) >= 0 && address.compare(module.base.add(module.size)) < 0 ? address : null;
  };
  if (own("SSL_write") === null && own("SSL_read") === null)
    return;
  hookedModules.add(module.path);
  const getFdPtr = own("SSL_get_fd");
  const getFd = getFdPtr === null ? null : new NativeFunction(getFdPtr, "int", ["pointer"]);
  const getNamePtr = own("SSL_get_servername");
  const getName = getNamePtr === null ? null : new NativeFunction(getNamePtr, "pointer", ["pointer", "int"]);
  const attach = (name, hooks) => {
    const address = own(name);
    if (address === null)
      return;
    Interceptor.attach(address, hooks);
    installed.push(`${module.name}!${name}`);
  };
  attach("SSL_write", {
    onEnter(args) {
      this.ssl = args[0];
      this.buf = args[1];
    },
    onLeave(ret) {
      send_("tls:write", module, "SSL_write", this.ssl, this.buf, ret.toInt32(), getFd, getName);
    }
  });
  attach("SSL_read", {
    onEnter(args) {
      this.ssl = args[0];
      this.buf = args[1];
    },
    onLeave(ret) {
      send_("tls:read", module, "SSL_read", this.ssl, this.buf, ret.toInt32(), getFd, getName);
    }
  });
  attach("SSL_write_ex", {
    onEnter(args) {
      this.ssl = args[0];
      this.buf = args[1];
      this.count = args[3];
    },
    onLeave(ret) {
      if (ret.toInt32() !== 1)
        return;
      send_("tls:write", module, "SSL_write_ex", this.ssl, this.buf, readSize(this.count), getFd, getName);
    }
  });
  attach("SSL_read_ex", {
    onEnter(args) {
      this.ssl = args[0];
      this.buf = args[1];
      this.count = args[3];
    },
    onLeave(ret) {
      if (ret.toInt32() !== 1)
        return;
      send_("tls:read", module, "SSL_read_ex", this.ssl, this.buf, readSize(this.count), getFd, getName);
    }
  });
  emit("tls:module", { module: module.name, path: module.path });
}
rpc.exports = {
  init(options = {}) {
    Object.assign(config, options);
    if (observer === null) {
      observer = Process.attachModuleObserver({
        onAdded(module) {
          try {
            hookModule(module);
          } catch (e) {
            reportError(`tls-native:${module.name}`, e);
          }
        }
      });
    }
    return { hooks: installed.slice() };
  }
};
