package shop.inventory;

/**
 * StockChange is what a stock count or an adjustment did, or why it did nothing; only {@link Applied}
 * and {@link Replayed} come with a committed ledger record.
 */
public sealed interface StockChange {

    /** Applied: onHand changed (or a count confirmed it) and the movement was recorded, in one transaction. */
    record Applied(Movement movement, StockLevel level) implements StockChange {
    }

    /** Replayed: an adjustment with this Idempotency-Key and the same content was committed before; nothing ran now. */
    record Replayed(Movement movement, StockLevel level) implements StockChange {
    }

    /** KeyReused: the Idempotency-Key was committed with another adjustment; nothing ran. */
    record KeyReused() implements StockChange {
    }

    /** StaleVersion: the count named another version than the current one; nothing ran. */
    record StaleVersion(StockLevel current) implements StockChange {
    }

    /** BelowReserved: onHand would fall below what open reservations hold; nothing ran. */
    record BelowReserved(int onHand, StockLevel current) implements StockChange {
    }

    /** AboveMaximum: onHand would pass {@link InventoryService#MAX_STOCK}; nothing ran. */
    record AboveMaximum(long onHand, StockLevel current) implements StockChange {
    }

    /** UnknownGoods: no live goods with that id; nothing ran. */
    record UnknownGoods() implements StockChange {
    }
}
