package vapp;

import java.util.Map;

/** User input injected with {@code input text|keyevent|tap}. */
public final class Input {
    public final String kind;   // "text" | "keyevent" | "tap" | "swipe"
    public final String text;
    public final int code;
    public final int x;
    public final int y;

    public Input(String kind, String text, int code, int x, int y) {
        this.kind = kind;
        this.text = text;
        this.code = code;
        this.x = x;
        this.y = y;
    }

    static Input fromMessage(Map<String, Object> m) {
        return new Input((String) m.get("kind"), (String) m.get("text"), num(m.get("code")), num(m.get("x")),
                num(m.get("y")));
    }

    private static int num(Object o) {
        return o instanceof Number ? ((Number) o).intValue() : 0;
    }

    @Override
    public String toString() {
        switch (kind) {
            case "text": return "text \"" + text + "\"";
            case "keyevent": return "keyevent " + code;
            default: return kind + " " + x + "," + y;
        }
    }
}
