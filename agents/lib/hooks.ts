// Java method replacements that can be taken out safely while the app is busy.
//
// Why: on HotSpot 17 neither unloading a script with replaced methods nor reverting them is safe
// while the app is busy (issue 16; harness/instrument/session.py `_retire_java` says how each
// crashed). So every replacement goes through `replace`, and a detaching host calls `deactivate`
// (each replacement becomes a pass-through to the original method), waits until `inFlight()` is 0
// and eternalizes the script instead of unloading it.
import Java from "frida-java-bridge";

let inflight = 0;
let active = true;
const replaced: Java.Method[] = [];

/**
 * Replaces `overload` with `impl` (called with the same `this` and arguments). While the agent is
 * being taken out, calls that still arrive go straight to the original method.
 */
export function replace(overload: Java.Method, impl: (this: Java.Wrapper, ...args: any[]) => any): void {
    overload.implementation = function (this: Java.Wrapper, ...args: any[]) {
        inflight++;
        try {
            if (!active) return overload.apply(this, args);
            return impl.apply(this, args);
        } finally {
            inflight--;
        }
    };
    replaced.push(overload);
}

/** Makes every replacement a plain pass-through to the original method, without reverting it. */
export function deactivate(): number {
    active = false;
    return replaced.length;
}

/** How many replaced calls are running right now (on any thread). */
export function inFlight(): number {
    return inflight;
}
