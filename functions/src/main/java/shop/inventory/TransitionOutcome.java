package shop.inventory;

import java.util.Optional;

/**
 * TransitionOutcome is what a confirm or cancel found and did.
 *
 * @param reservation the reservation after the call, empty if the order number is unknown
 * @param changed     true if this call moved it out of RESERVED (false when it was already there or elsewhere)
 */
public record TransitionOutcome(Optional<Reservation> reservation, boolean changed) {
}
