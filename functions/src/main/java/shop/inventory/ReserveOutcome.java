package shop.inventory;

import java.util.List;

/** ReserveOutcome is what one reserve transaction did; only {@link Reserved} changed anything. */
public sealed interface ReserveOutcome {

    /** Reserved: every item was deducted and the reservation stored, in one transaction. */
    record Reserved(Reservation reservation) implements ReserveOutcome {
    }

    /** AlreadyExists: the order number was reserved before; nothing was deducted now. */
    record AlreadyExists(Reservation existing) implements ReserveOutcome {
    }

    /** Short: at least one item lacked stock; nothing was deducted. */
    record Short(List<Shortage> shortages) implements ReserveOutcome {
    }

    /** UnknownGoods: some goods do not exist (or are deleted); nothing was deducted. */
    record UnknownGoods(List<Long> goodsIds) implements ReserveOutcome {
    }
}
