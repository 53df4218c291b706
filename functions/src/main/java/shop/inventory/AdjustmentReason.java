package shop.inventory;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * AdjustmentReason is why on-hand stock changed outside a count: goods {@code received} from a
 * supplier or {@code returned} by a customer (more on hand), {@code damaged} or {@code lost} (less),
 * or a {@code correction} either way. A warehouse system (role service) may record receipts and
 * returns; the rest needs an admin.
 */
public enum AdjustmentReason {
    RECEIVED(1, true), RETURNED(1, true), DAMAGED(-1, false), LOST(-1, false), CORRECTION(0, false);

    private final int sign;
    private final boolean serviceMay;

    AdjustmentReason(int sign, boolean serviceMay) {
        this.sign = sign;
        this.serviceMay = serviceMay;
    }

    /** code is the wire and stored form, lower case. */
    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** sign is +1 when the delta must be positive, -1 when negative, 0 when either. */
    int sign() {
        return sign;
    }

    /** serviceMay tells whether a caller with role service (not admin) may record it. */
    boolean serviceMay() {
        return serviceMay;
    }

    /** of reads a code; empty for an unknown one. */
    static Optional<AdjustmentReason> of(String code) {
        return Arrays.stream(values()).filter(r -> r.code().equals(code)).findFirst();
    }

    /** codes lists every code, for messages. */
    static String codes() {
        return String.join(", ", Arrays.stream(values()).map(AdjustmentReason::code).toList());
    }
}
