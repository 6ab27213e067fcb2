package vapp;

import java.util.Collections;
import java.util.Map;

/** An intent delivered by the virtual activity manager ({@code am start}). */
public final class Intent {
    public final String action;
    public final String data;
    public final String component;
    public final Map<String, Object> extras;

    public Intent(String action, String data, String component, Map<String, Object> extras) {
        this.action = action;
        this.data = data;
        this.component = component;
        this.extras = extras == null ? Collections.emptyMap() : extras;
    }

    @SuppressWarnings("unchecked")
    static Intent fromMessage(Map<String, Object> m) {
        Object extras = m.get("extras");
        return new Intent((String) m.get("action"), (String) m.get("data"), (String) m.get("component"),
                extras instanceof Map ? (Map<String, Object>) extras : null);
    }

    public String getStringExtra(String key) {
        Object v = extras.get(key);
        return v == null ? null : v.toString();
    }

    public boolean getBooleanExtra(String key, boolean dflt) {
        Object v = extras.get(key);
        return v instanceof Boolean ? (Boolean) v : dflt;
    }

    public long getLongExtra(String key, long dflt) {
        Object v = extras.get(key);
        return v instanceof Number ? ((Number) v).longValue() : dflt;
    }

    @Override
    public String toString() {
        return "Intent { act=" + action + (data != null ? " dat=" + data : "")
                + (component != null ? " cmp=" + component : "") + (extras.isEmpty() ? "" : " (has extras)") + " }";
    }
}
