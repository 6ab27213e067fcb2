// Message protocol shared by every agent (see docs/agents.md).
// Every message is {type: "<namespace>:<name>", ts: ms since epoch, pid, thread, ...fields};
// binary evidence travels as the message's data, never inside the JSON.

export interface AgentConfig {
    [key: string]: unknown;
}

export function emit(type: string, fields: Record<string, unknown> = {}, data?: ArrayBuffer | null): void {
    const message = {
        ...fields,
        type,
        ts: Date.now(),
        pid: Process.id,
        thread: Process.getCurrentThreadId(),
    };
    if (data !== undefined && data !== null) {
        send(message, data);
    } else {
        send(message);
    }
}

export function reportError(where: string, error: unknown): void {
    const e = error as { message?: string; stack?: string };
    emit("agent:error", {
        where,
        message: e && e.message !== undefined ? String(e.message) : String(error),
        stack: e && e.stack !== undefined ? String(e.stack) : null,
    });
}

/** Runs `fn`, reporting an exception as agent:error instead of letting it kill the hook. */
export function guarded<T>(where: string, fn: () => T): T | undefined {
    try {
        return fn();
    } catch (e) {
        reportError(where, e);
        return undefined;
    }
}

export function capBytes(bytes: ArrayBuffer, cap: number): { data: ArrayBuffer; size: number; truncated: boolean } {
    const size = bytes.byteLength;
    if (cap >= 0 && size > cap) {
        return { data: bytes.slice(0, cap), size, truncated: true };
    }
    return { data: bytes, size, truncated: false };
}

export function toHex(bytes: ArrayBuffer | null): string | null {
    if (bytes === null) return null;
    const view = new Uint8Array(bytes);
    let out = "";
    for (let i = 0; i < view.length; i++) {
        out += (view[i] < 16 ? "0" : "") + view[i].toString(16);
    }
    return out;
}

export function toBase64(bytes: ArrayBuffer | null): string | null {
    if (bytes === null) return null;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const view = new Uint8Array(bytes);
    let out = "";
    for (let i = 0; i < view.length; i += 3) {
        const a = view[i], b = i + 1 < view.length ? view[i + 1] : 0, c = i + 2 < view.length ? view[i + 2] : 0;
        const n = (a << 16) | (b << 8) | c;
        out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63];
        out += i + 1 < view.length ? alphabet[(n >> 6) & 63] : "=";
        out += i + 2 < view.length ? alphabet[n & 63] : "=";
    }
    return out;
}
