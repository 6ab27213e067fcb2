// The Java agents (unpin, crypto, trigger) share ONE script per process: two copies of
// frida-java-bridge in one JVM crash it when they are torn down (seen on HotSpot 17), so the host
// loads this bundle once and enables features in it (docs/agents.md).
import { performAsync } from "../lib/java.js";
import * as crypto from "./java/crypto.js";
import * as trigger from "./java/trigger.js";
import * as unpin from "./java/unpin.js";

const features: Record<string, (config: Record<string, unknown>) => string[]> = {
    unpin: unpin.enable,
    crypto: crypto.enable,
    trigger: trigger.enable,
};

rpc.exports = {
    features(): string[] {
        return Object.keys(features);
    },
    enable(name: string, config: Record<string, unknown> = {}): Promise<{ hooks: string[] }> {
        const feature = features[name];
        if (feature === undefined) return Promise.reject(new Error(`no Java agent named ${name}`));
        return performAsync(() => ({ hooks: feature(config) }));
    },
    check(specs: trigger.CallSpec[]): Promise<(string | null)[]> {
        return performAsync(() => trigger.checkAll(specs));
    },
    call(spec: trigger.CallSpec): Promise<unknown> {
        return performAsync(() => trigger.call(spec));
    },
};
