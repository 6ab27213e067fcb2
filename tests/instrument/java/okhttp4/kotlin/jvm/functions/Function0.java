// STAND-IN: Kotlin's kotlin.jvm.functions.Function0 (what OkHttp 4's check$okhttp takes).
package kotlin.jvm.functions;

public interface Function0<R> {
    R invoke();
}
