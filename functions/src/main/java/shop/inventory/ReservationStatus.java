package shop.inventory;

/** ReservationStatus is where a reservation is in its life: RESERVED, then CONFIRMED or RETURNED, never back. */
public enum ReservationStatus {
    /** RESERVED: the units are held (counted in reserved) and wait for a confirm, a cancel, or expiry. */
    RESERVED,
    /** CONFIRMED: the order was paid; the units are sold (left onHand and reserved) for good. */
    CONFIRMED,
    /** RETURNED: cancelled or expired ({@link ReturnReason}); the units were released exactly once. */
    RETURNED
}
