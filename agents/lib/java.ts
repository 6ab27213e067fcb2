// Helpers for agents that use the Java bridge (Android ART and HotSpot alike).
import Java from "frida-java-bridge";

/** A Java byte[] (as the bridge hands it to a hook) as an ArrayBuffer; null stays null. */
export function javaBytes(array: ArrayLike<number> | null | undefined): ArrayBuffer | null {
    if (array === null || array === undefined) return null;
    const out = new Uint8Array(array.length);
    for (let i = 0; i < array.length; i++) {
        out[i] = array[i] & 0xff;
    }
    return out.buffer;
}

/** A slice of a Java byte[] (offset, length) as an ArrayBuffer. */
export function javaBytesRange(array: ArrayLike<number> | null, offset: number, length: number): ArrayBuffer | null {
    if (array === null || array === undefined) return null;
    const out = new Uint8Array(Math.max(0, length));
    for (let i = 0; i < length; i++) {
        out[i] = array[offset + i] & 0xff;
    }
    return out.buffer;
}

/** The calling thread's Java stack, innermost first, without frames of the hooked class itself. */
export function javaStack(skipPrefixes: string[], limit = 12): string[] {
    const frames = Java.use("java.lang.Thread").currentThread().getStackTrace();
    const out: string[] = [];
    for (let i = 0; i < frames.length && out.length < limit; i++) {
        const text = frames[i].toString() as string;
        if (text.startsWith("java.lang.Thread.getStackTrace")) continue;
        if (skipPrefixes.some((p) => text.startsWith(p))) continue;
        out.push(text);
    }
    return out;
}

/** Java.use that returns null when the class is not loadable in this process. */
export function tryUse(name: string): Java.Wrapper | null {
    try {
        return Java.use(name);
    } catch (_e) {
        return null;
    }
}

/** Runs fn inside Java.perform and resolves with its result (rejects with its exception). */
export function performAsync<T>(fn: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
        if (!Java.available) {
            reject(new Error("no Java runtime in this process (the Java agents need an app process)"));
            return;
        }
        Java.perform(() => {
            try {
                resolve(fn());
            } catch (e) {
                reject(e);
            }
        });
    });
}
