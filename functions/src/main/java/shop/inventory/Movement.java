package shop.inventory;

import java.time.Instant;

/**
 * Movement is one ledger record of a goods: what moved onHand and reserved, when, why and on whose
 * call. Reservations are the records of their own movements (see {@code package-info}); a movement read
 * from an open reservation has no {@code id}.
 *
 * @param id             the ledger row, when it has one
 * @param goodsId        the goods
 * @param kind           what it was
 * @param at             when (UTC, millisecond precision)
 * @param onHandDelta    change of onHand
 * @param reservedDelta  change of reserved
 * @param orderSn        the reservation's order, for RESERVE, CONFIRM and RELEASE
 * @param reason         an adjustment's reason, or a release's ({@code cancelled}, {@code expired})
 * @param reference      an adjustment's free reference (a delivery note, an RMA number)
 * @param replacedOnHand a count's (or the opening's) previous onHand
 * @param caller         the token subject that asked for it ({@code sweeper}, {@code migration V303} for the system)
 * @param onHandAfter    onHand after it, for counts, adjustments and the opening
 * @param reservedAfter  reserved after it, same
 * @param versionAfter   the stock version after it, same
 */
public record Movement(Long id, long goodsId, MovementKind kind, Instant at, int onHandDelta, int reservedDelta,
                       String orderSn, String reason, String reference, Integer replacedOnHand, String caller,
                       Integer onHandAfter, Integer reservedAfter, Long versionAfter) {
}
