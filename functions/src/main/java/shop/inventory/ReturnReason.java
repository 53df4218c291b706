package shop.inventory;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** ReturnReason says why a RETURNED reservation gave its stock back: the order was cancelled, or its time ran out. */
public enum ReturnReason {
    CANCELLED, EXPIRED;

    /** code is the stored and serialised form, lower case. */
    @JsonValue
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** of reads a stored code; null stays null. */
    static ReturnReason of(String code) {
        return code == null ? null : valueOf(code.toUpperCase(Locale.ROOT));
    }
}
