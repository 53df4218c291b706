package shop.media;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * UploadTarget is what an image belongs to, with the slots it has: goods have a front image (which
 * an upload replaces), a gallery and description images (which an upload appends to); a banner has
 * its image; a brand its logo.
 */
public enum UploadTarget {
    GOODS("goods", Set.of("front", "gallery", "desc")),
    BANNER("banner", Set.of("image")),
    BRAND("brand", Set.of("logo"));

    private final String wire;
    private final Set<String> slots;

    UploadTarget(String wire, Set<String> slots) {
        this.wire = wire;
        this.slots = slots;
    }

    /** wire is the name clients send and object keys carry. */
    public String wire() {
        return wire;
    }

    /** slots are the slot names this target accepts. */
    public Set<String> slots() {
        return slots;
    }

    /** hasSlot tells whether a slot belongs to this target. */
    public boolean hasSlot(String slot) {
        return slots.contains(slot);
    }

    /** parse finds a target by its wire name (exact, lower case). */
    public static Optional<UploadTarget> parse(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }

    /** names lists the wire names, for messages. */
    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(t -> t.wire).toList());
    }

    @Override
    public String toString() {
        return wire.toUpperCase(Locale.ROOT);
    }
}
