package com.vendor.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The vendor's filtering class: drops items that contain a term of the served list. */
public final class AdBlacklistFilter {
    private final Supplier<AdBlacklistConfig> config;
    private final boolean active;

    /** {@code active}: the app's filtering switch; the served config must also be enabled. */
    public AdBlacklistFilter(Supplier<AdBlacklistConfig> config, boolean active) {
        this.config = config;
        this.active = active;
    }

    public boolean isBlocked(String text) {
        AdBlacklistConfig cfg = config.get();
        if (!active || !cfg.enable || text == null) return false;
        String folded = text.toLowerCase(Locale.ROOT);
        for (String term : cfg.terms) {
            if (folded.contains(term.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    public List<String> filter(List<String> texts) {
        List<String> kept = new ArrayList<>();
        for (String t : texts) if (!isBlocked(t)) kept.add(t);
        return kept;
    }
}
