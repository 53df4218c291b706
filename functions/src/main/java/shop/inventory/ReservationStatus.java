package shop.inventory;

/** ReservationStatus is where a reservation is in its life: RESERVED, then CONFIRMED or RETURNED, never back. */
public enum ReservationStatus {
    /** RESERVED: the stock is deducted and waits for a confirm, a cancel, or expiry. */
    RESERVED,
    /** CONFIRMED: the order was paid; the stock stays deducted for good. */
    CONFIRMED,
    /** RETURNED: cancelled or expired; the stock was given back exactly once. */
    RETURNED
}
