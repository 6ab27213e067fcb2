📦
3309 /src/tls-keylog.js
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

// src/tls-keylog.ts
var config = { module_pattern: "ssl|boringssl|conscrypt|cronet|flutter" };
var hookedModules = /* @__PURE__ */ new Set();
var installed = [];
var observer = null;
var callbacks = [];
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
  const sslNew = own("SSL_new");
  const setCb = own("SSL_CTX_set_keylog_callback");
  const getCb = own("SSL_CTX_get_keylog_callback");
  if (sslNew === null || setCb === null)
    return;
  hookedModules.add(module.path);
  const setKeylog = new NativeFunction(setCb, "void", ["pointer", "pointer"]);
  const getKeylog = getCb === null ? null : new NativeFunction(getCb, "pointer", ["pointer"]);
  const chained = /* @__PURE__ */ new Map();
  const callback = new NativeCallback((ssl, line) => {
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
      if (ctx.isNull())
        return;
      try {
        const current = getKeylog === null ? NULL : getKeylog(ctx);
        if (current.equals(callback))
          return;
        if (!current.isNull() && !chained.has(ctx.toString())) {
          const original = new NativeFunction(current, "void", ["pointer", "pointer"]);
          chained.set(ctx.toString(), original);
          const both = new NativeCallback((ssl, line) => {
            original(ssl, line);
            callback(ssl, line);
          }, "void", ["pointer", "pointer"]);
          callbacks.push(both);
          setKeylog(ctx, both);
          return;
        }
        if (current.isNull())
          setKeylog(ctx, callback);
      } catch (e) {
        reportError("tls-keylog:SSL_new", e);
      }
    }
  });
  installed.push(`${module.name}!SSL_new`);
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
            reportError(`tls-keylog:${module.name}`, e);
          }
        }
      });
    }
    return { hooks: installed.slice() };
  }
};
