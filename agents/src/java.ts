// The Java agents (unpin, crypto, trigger) share ONE script per process: two copies of
// frida-java-bridge in one JVM crash it when they are torn down (seen on HotSpot 17), so the host
// loads this bundle once and enables features in it (docs/agents.md).
import Java from "frida-java-bridge";
import { deactivate, inFlight } from "../lib/hooks.js";
import { performAsync } from "../lib/java.js";
import * as crypto from "./java/crypto.js";
import * as trigger from "./java/trigger.js";
import * as unpin from "./java/unpin.js";

const features: Record<string, (config: Record<string, unknown>) => string[]> = {
    unpin: unpin.enable,
    crypto: crypto.enable,
    trigger: trigger.enable,
};

/**
 * Resolves with `result` once the bridge's deferred work is done and this thread is safe again.
 *
 * On HotSpot, frida-java-bridge swaps method implementations on the JS thread's *next tick*
 * (after `enable` has replied) inside a VM operation it submits with `VMThread::execute`; that call
 * returns with the JS thread marked `_thread_in_vm`, and a thread idling in that state never
 * acknowledges a safepoint or handshake: the app's next class load that deoptimizes code then
 * hangs the whole JVM (HotSpot 17). So reply only after the swap (a later tick), and make one JNI
 * call first: JNI's native->VM->native transition leaves the thread `_thread_in_native` again.
 */
function settled<T>(result: T): Promise<T> {
    return new Promise((resolve, reject) => {
        Script.nextTick(() => {
            try {
                Java.perform(() => {
                    const env = Java.vm.getEnv();
                    const cls = env.findClass("java/lang/Object");
                    if (!cls.isNull()) env.deleteLocalRef(cls);
                    resolve(result);
                });
            } catch (e) {
                reject(e);
            }
        });
    });
}

rpc.exports = {
    features(): string[] {
        return Object.keys(features);
    },
    enable(name: string, config: Record<string, unknown> = {}): Promise<{ hooks: string[] }> {
        const feature = features[name];
        if (feature === undefined) return Promise.reject(new Error(`no Java agent named ${name}`));
        return performAsync(() => ({ hooks: feature(config) })).then(settled);
    },
    check(specs: trigger.CallSpec[]): Promise<(string | null)[]> {
        return performAsync(() => trigger.checkAll(specs));
    },
    call(spec: trigger.CallSpec): Promise<unknown> {
        return performAsync(() => trigger.call(spec));
    },
    /** Step 1 of a safe detach: every replacement becomes a pass-through (see lib/hooks.ts). */
    deactivate(): number {
        return deactivate();
    },
    /** Step 2: the host waits until no replaced call is running any more, then unloads the script. */
    inflight(): number {
        return inFlight();
    },
};
