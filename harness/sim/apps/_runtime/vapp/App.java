package vapp;

/** What a virtual app implements. Handlers run one at a time on the app's main thread. */
public interface App {
    /** Called once, after a pending debugger wait ended and before the first intent. */
    default void onCreate() {}

    void onIntent(Intent intent) throws Exception;

    default void onInput(Input input) throws Exception {}

    /** Called before the process exits on {@code {"type":"stop"}} or end of stdin. */
    default void onStop() {}
}
