// crypto: javax.crypto.Cipher traffic in the clear.
// One event per Cipher.update/doFinal call that consumed or produced bytes: type `crypto:plaintext`,
// the plaintext as message data (the input when encrypting, the output when decrypting), the
// ciphertext (base64, capped) plus algorithm, key, IV and a Java stack summary in the fields.
import Java from "frida-java-bridge";
import { capBytes, emit, reportError, toBase64, toHex } from "../../lib/emit.js";
import { replace } from "../../lib/hooks.js";
import { javaBytes, javaBytesRange, javaStack } from "../../lib/java.js";

interface CryptoConfig {
    max_bytes?: number;
    include_tls_records?: boolean;
    stack_depth?: number;
}

const ENCRYPT_MODE = 1;
const DECRYPT_MODE = 2;
const WRAP_MODE = 3;
const UNWRAP_MODE = 4;

const config: Required<CryptoConfig> = { max_bytes: 65536, include_tls_records: false, stack_depth: 12 };
// Cipher identity -> mode and key given to init (Cipher has no public getter for either).
const state = new Map<number, { mode: number; key: ArrayBuffer | null; keyAlgorithm: string | null }>();
const TLS_PREFIXES = ["sun.security.ssl.", "com.android.org.conscrypt.", "org.conscrypt."];
const installed: string[] = [];

function identity(cipher: Java.Wrapper): number {
    return Java.use("java.lang.System").identityHashCode(cipher) as number;
}

function modeName(mode: number | undefined): string {
    switch (mode) {
        case ENCRYPT_MODE: return "encrypt";
        case DECRYPT_MODE: return "decrypt";
        case WRAP_MODE: return "wrap";
        case UNWRAP_MODE: return "unwrap";
        default: return "unknown";
    }
}

function hookInit(cipherClass: Java.Wrapper): void {
    for (const overload of cipherClass.init.overloads) {
        replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
            const result = overload.apply(this, args);
            try {
                const mode = args[0] as number;
                const key = args[1] as Java.Wrapper | null;
                let keyBytes: ArrayBuffer | null = null;
                let keyAlgorithm: string | null = null;
                if (key !== null && key.$className !== undefined) {
                    const asKey = Java.cast(key, Java.use("java.security.Key"));
                    keyAlgorithm = asKey.getAlgorithm() as string;
                    keyBytes = javaBytes(asKey.getEncoded());
                }
                state.set(identity(this), { mode, key: keyBytes, keyAlgorithm });
            } catch (e) {
                reportError("crypto:Cipher.init", e);
            }
            return result;
        });
    }
    installed.push("javax.crypto.Cipher.init");
}

function report(cipher: Java.Wrapper, method: string, input: ArrayBuffer | null, output: ArrayBuffer | null): void {
    if ((input === null || input.byteLength === 0) && (output === null || output.byteLength === 0)) return;
    const stack = javaStack(["javax.crypto.", "java.lang.reflect."], config.stack_depth + 4);
    if (!config.include_tls_records && stack.some((f) => TLS_PREFIXES.some((p) => f.startsWith(p)))) return;
    const st = state.get(identity(cipher));
    const mode = st?.mode;
    const decrypting = mode === DECRYPT_MODE || mode === UNWRAP_MODE;
    const plain = decrypting ? output : input;
    const cipherText = decrypting ? input : output;
    const p = capBytes(plain ?? new ArrayBuffer(0), config.max_bytes);
    const c = capBytes(cipherText ?? new ArrayBuffer(0), config.max_bytes);
    let iv: ArrayBuffer | null = null;
    try {
        iv = javaBytes(cipher.getIV());
    } catch (_e) {
        iv = null;
    }
    emit("crypto:plaintext", {
        method: `javax.crypto.Cipher.${method}`,
        operation: modeName(mode),
        algorithm: cipher.getAlgorithm() as string,
        key_algorithm: st?.keyAlgorithm ?? null,
        key: toHex(st?.key ?? null),
        iv: toHex(iv),
        plaintext_size: p.size,
        plaintext_truncated: p.truncated,
        ciphertext: toBase64(c.data),
        ciphertext_size: c.size,
        ciphertext_truncated: c.truncated,
        stack: stack.slice(0, config.stack_depth),
    }, p.data);
}

function hookTransform(cipherClass: Java.Wrapper, name: "update" | "doFinal"): void {
    for (const overload of cipherClass[name].overloads) {
        const types = overload.argumentTypes.map((t: { className: string }) => t.className);
        replace(overload, function (this: Java.Wrapper, ...args: unknown[]) {
            const result = overload.apply(this, args);
            try {
                let input: ArrayBuffer | null = null;
                let output: ArrayBuffer | null = null;
                if (types.length >= 1 && types[0] === "[B") {
                    const array = args[0] as number[];
                    input = types.length >= 3 && types[1] === "int" && types[2] === "int"
                        ? javaBytesRange(array, args[1] as number, args[2] as number)
                        : javaBytes(array);
                }
                if (overload.returnType.className === "[B") {
                    output = javaBytes(result as number[]);
                } else if (types.length >= 4 && types[3] === "[B" && typeof result === "number") {
                    // update/doFinal(in, off, len, out[, outOff]) -> bytes written to out
                    const outOffset = types.length >= 5 ? (args[4] as number) : 0;
                    output = javaBytesRange(args[3] as number[], outOffset, result);
                } else if (types.length === 2 && types[0] === "[B" && types[1] === "int" && typeof result === "number") {
                    // doFinal(out, outOff) -> bytes written to out
                    input = null;
                    output = javaBytesRange(args[0] as number[], args[1] as number, result);
                }
                report(this, name, input, output);
            } catch (e) {
                reportError(`crypto:Cipher.${name}`, e);
            }
            return result;
        });
    }
    installed.push(`javax.crypto.Cipher.${name}`);
}

function install(): string[] {
    const cipherClass = Java.use("javax.crypto.Cipher");
    hookInit(cipherClass);
    hookTransform(cipherClass, "update");
    hookTransform(cipherClass, "doFinal");
    return installed.slice();
}

/** Installs the Cipher hooks once; later calls only update the configuration. */
export function enable(options: CryptoConfig = {}): string[] {
    Object.assign(config, options);
    if (installed.length === 0) install();
    return installed.slice();
}
