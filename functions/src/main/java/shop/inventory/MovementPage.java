package shop.inventory;

import java.util.List;

/**
 * MovementPage is one page of a goods' movements, newest first.
 *
 * @param total       how many movements the goods has, counted up to {@link InventoryService#MAX_MOVEMENT_WINDOW}
 * @param page        the 1-based page
 * @param pageSize    its size
 * @param items       the movements
 * @param totalCapped present and true when the goods has more movements than {@code total} says
 */
public record MovementPage(long total, int page, int pageSize, List<Movement> items, Boolean totalCapped) {

    /** MovementPage copies the list. */
    public MovementPage {
        items = List.copyOf(items);
    }
}
