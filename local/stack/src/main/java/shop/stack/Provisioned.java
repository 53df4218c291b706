package shop.stack;

import java.util.Map;

/**
 * Provisioned names the buckets and tables created locally from the template, by logical id.
 *
 * @param physicalIds local name of each provisioned resource, keyed by its logical id
 */
public record Provisioned(Map<String, String> physicalIds) {
    public Provisioned {
        physicalIds = Map.copyOf(physicalIds);
    }

    /** name returns the local name of a provisioned resource, or fails naming the logical id. */
    public String name(String logicalId) {
        String name = physicalIds.get(logicalId);
        if (name == null) {
            throw new IllegalArgumentException("no local resource for logical id " + logicalId);
        }
        return name;
    }
}
