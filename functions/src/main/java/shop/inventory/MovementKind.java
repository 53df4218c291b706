package shop.inventory;

/**
 * MovementKind is what changed a goods' counters: the ledger's OPENING balance, a stock COUNT, an
 * ADJUSTMENT, and a reservation's RESERVE, then CONFIRM (sold: on hand and reserved both fall) or
 * RELEASE (cancelled or expired: reserved falls).
 */
public enum MovementKind { OPENING, COUNT, ADJUSTMENT, RESERVE, CONFIRM, RELEASE }
