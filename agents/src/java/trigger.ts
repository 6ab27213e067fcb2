// trigger: call app methods on demand (search a term, load ads, open a URL, send a message).
// The host resolves an action of the app's trigger map (docs/agents.md) into a call spec and
// invokes the RPC export `call`; the result comes back as the RPC's return value and as a
// `trigger:called` event (so the evidence shows when the app was driven).
import Java from "frida-java-bridge";
import { emit } from "../../lib/emit.js";
import { tryUse } from "../../lib/java.js";

export interface CallSpec {
    action?: string;
    class: string;
    method: string;
    kind?: "static" | "instance";
    args?: unknown[];
    signature?: string[] | null;
}

function pickOverload(cls: Java.Wrapper, spec: CallSpec): Java.Method {
    const method = cls[spec.method];
    if (method === undefined || method.overloads === undefined) {
        throw new Error(`class ${spec.class} has no method ${spec.method}`);
    }
    const args = spec.args ?? [];
    if (spec.signature) {
        try {
            return method.overload(...spec.signature);
        } catch (_e) {
            throw new Error(`${spec.class}.${spec.method} has no overload (${spec.signature.join(", ")})`);
        }
    }
    const candidates = method.overloads.filter((o: Java.Method) => o.argumentTypes.length === args.length);
    if (candidates.length !== 1) {
        throw new Error(`${spec.class}.${spec.method} has ${candidates.length} overloads taking ${args.length} arguments; ` +
            "give \"signature\" in the trigger map");
    }
    return candidates[0];
}

function findInstance(spec: CallSpec): Java.Wrapper {
    let found: Java.Wrapper | null = null;
    Java.choose(spec.class, {
        onMatch(instance) {
            found = instance;
            return "stop";
        },
        onComplete() { /* nothing */ },
    });
    if (found === null) throw new Error(`no live instance of ${spec.class} to call ${spec.method} on`);
    return found;
}

function stringify(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
    const wrapper = value as Java.Wrapper;
    if (wrapper.$className !== undefined) return String(wrapper.toString());
    return String(value);
}

function check(spec: CallSpec): string | null {
    const cls = tryUse(spec.class);
    if (cls === null) return `class ${spec.class} not found in the app`;
    let overload: Java.Method;
    try {
        overload = pickOverload(cls, spec);
    } catch (e) {
        return (e as Error).message;
    }
    const isStatic = overload.type === METHOD_STATIC;
    const kind = spec.kind ?? "static";
    if (kind === "static" && !isStatic) return `${spec.class}.${spec.method} is an instance method; use "kind": "instance"`;
    if (kind === "instance" && isStatic) return `${spec.class}.${spec.method} is static; use "kind": "static"`;
    return null;
}

// frida-java-bridge method types: 1 constructor, 2 static method, 3 instance method
const METHOD_STATIC = 2;

export function enable(_config: Record<string, unknown> = {}): string[] {
    return [];
}

/** For each spec: null when it resolves in the app, else the problem. */
export function checkAll(specs: CallSpec[]): (string | null)[] {
    return specs.map(check);
}

export function call(spec: CallSpec): unknown {
    const cls = tryUse(spec.class);
    if (cls === null) throw new Error(`class ${spec.class} not found in the app`);
    const overload = pickOverload(cls, spec);
    const args = spec.args ?? [];
    const target = (spec.kind ?? "static") === "instance" ? findInstance(spec) : cls;
    emit("trigger:called", { action: spec.action ?? null, class: spec.class, method: spec.method, args });
    return stringify(overload.apply(target, args));
}
