package shop.platform.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.aws.SdkFailures;
import shop.platform.json.Json;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * DynamoIdempotencyStore keeps idempotency records in DynamoDB with conditional writes only (no
 * transactions: the local stand-in has none), for creates whose resources live in DynamoDB too
 * (upload tickets). A record is {@code IN_PROGRESS} while its request runs, held by an owner token
 * for at most {@code inProgressFor} (so a crashed invocation does not block the key for good), and
 * {@code COMPLETED} with the response afterwards, for {@code retention}. Expired records count as
 * absent here, because DynamoDB's TTL deletes them late.
 *
 * <p>The create cannot join a transaction with the record, so the record reserves the resource's id
 * instead ({@link Claim.Fresh#reservedId()}), kept when a released or expired claim is taken over
 * by the same request: a create that took effect but never completed its key (the invocation died,
 * a write timed out on the client only, or writing the response failed) is run again with the same
 * id, finds its resource, and answers it instead of making a second one. A failed request releases
 * its claim at once (its lease set to zero), so a corrected request may take the key right away; it
 * gets a new reserved id, since its body differs.
 */
public final class DynamoIdempotencyStore implements IdempotencyStore {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoIdempotencyStore.class);
    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;
    private final Duration inProgressFor;

    /** Creates the store over a table keyed by {@code id} with TTL attribute {@code ttl}. */
    public DynamoIdempotencyStore(DynamoDbClient dynamo, String table, Duration retention, Duration inProgressFor) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
        this.inProgressFor = inProgressFor;
    }

    /**
     * claim claims the key, or says why not; a table out of reach (or a call cut by the request's
     * deadline) is a 503 naming the idempotency table ({@link SdkFailures}).
     */
    @Override
    public Claim claim(String key, String fingerprint, Instant now) {
        try {
            return tryClaim(key, fingerprint, now);
        } catch (SdkException e) {
            if (SdkFailures.unavailable(e)) {
                throw SdkFailures.problem("the idempotency table", e);
            }
            throw e;
        }
    }

    private Claim tryClaim(String key, String fingerprint, Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String owner = UUID.randomUUID().toString();
            String reserved = UUID.randomUUID().toString();
            try {
                dynamo.putItem(r -> r.tableName(table)
                        .item(Map.of("id", s(key), "fingerprint", s(fingerprint), "state", s("IN_PROGRESS"),
                                "owner", s(owner), "reservedId", s(reserved),
                                "lockedUntil", n(now.plus(inProgressFor).toEpochMilli()),
                                "ttl", n(now.plus(retention).getEpochSecond())))
                        .conditionExpression("attribute_not_exists(id) OR #ttl < :nowSec")
                        .expressionAttributeNames(Map.of("#ttl", "ttl"))
                        .expressionAttributeValues(Map.of(":nowSec", n(now.getEpochSecond()))));
                return new Claim.Fresh(owner, reserved);
            } catch (ConditionalCheckFailedException e) {
                GetItemResponse got = dynamo.getItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                        .consistentRead(true));
                if (!got.hasItem() || got.item().isEmpty()) {
                    continue; // deleted between the two calls: claim again
                }
                Map<String, AttributeValue> item = got.item();
                boolean sameRequest = fingerprint.equals(item.get("fingerprint").s());
                boolean completed = "COMPLETED".equals(item.get("state").s());
                if (completed && sameRequest) {
                    return new Claim.Replay(new Response(Integer.parseInt(item.get("status").n()), item.get("body").s(),
                            item.containsKey("headers") ? headers(item.get("headers").s()) : Map.of()));
                }
                if (completed || (!sameRequest && Long.parseLong(item.get("lockedUntil").n()) >= now.toEpochMilli())) {
                    return new Claim.Mismatch();
                }
                if (Long.parseLong(item.get("lockedUntil").n()) >= now.toEpochMilli()) {
                    return new Claim.InProgress();
                }
                // A released claim, or one whose invocation died: the same request keeps the reserved id
                // (its resource may exist); another request reserves a new one.
                String keep = sameRequest ? item.get("reservedId").s() : reserved;
                if (takeOver(key, item.get("owner").s(), owner, fingerprint, keep, now)) {
                    if (Long.parseLong(item.get("lockedUntil").n()) > 0) { // a lease that ran out, not a release
                        LOG.warn("idempotency key taken over from an owner whose lease ran out (its invocation died)");
                        shop.platform.metrics.Metrics.get().count("IdempotencyTakeovers");
                    }
                    return new Claim.Fresh(owner, keep);
                }
            }
        }
        return new Claim.InProgress();
    }

    private boolean takeOver(String key, String oldOwner, String owner, String fingerprint, String reservedId,
                             Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                    .updateExpression("SET #owner = :owner, lockedUntil = :until, fingerprint = :fp, reservedId = :rid")
                    .conditionExpression("#state = :inProgress AND #owner = :old AND lockedUntil < :nowMs")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#state", "state"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":old", s(oldOwner),
                            ":until", n(now.plus(inProgressFor).toEpochMilli()), ":nowMs", n(now.toEpochMilli()),
                            ":inProgress", s("IN_PROGRESS"), ":fp", s(fingerprint), ":rid", s(reservedId))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Response execute(String key, Claim.Fresh claim, Supplier<Response> create, Clock clock) {
        Response response;
        try {
            response = create.get();
        } catch (RuntimeException | Error e) {
            release(key, claim.owner());
            throw e;
        }
        if (!response.succeeded()) {
            release(key, claim.owner());
            return response;
        }
        try {
            complete(key, claim.owner(), response, clock.instant());
        } catch (SdkException e) {
            // The resource exists under the reserved id: a retry after the lease finds it and answers it.
            LOG.warn("storing the idempotent response failed; a retry will answer the same resource", e);
        }
        return response;
    }

    private void complete(String key, String owner, Response response, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":completed", s("COMPLETED"),
                ":status", n(response.status()), ":body", s(response.body()), ":headers", s(Json.write(response.headers())),
                ":ttl", n(now.plus(retention).getEpochSecond()), ":owner", s(owner)));
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                    .updateExpression("SET #state = :completed, #status = :status, body = :body, headers = :headers,"
                            + " #ttl = :ttl REMOVE #owner")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#state", "state", "#status", "status", "#ttl", "ttl",
                            "#owner", "owner"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // Taken over meanwhile: the new owner runs the create with the same reserved id and finds ours.
            LOG.warn("idempotency claim was taken over before its response was stored");
        }
    }

    /**
     * release ends our hold on the key at once, keeping its reserved id: the create may have taken
     * effect before it failed (a write that timed out on the client but not on the server), so the
     * same request, retried, runs with the same id and finds what it made.
     */
    private void release(String key, String owner) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                    .updateExpression("SET lockedUntil = :zero")
                    .conditionExpression("#owner = :owner AND #state = :inProgress")
                    .expressionAttributeNames(Map.of("#state", "state", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":inProgress", s("IN_PROGRESS"),
                            ":zero", n(0))));
        } catch (ConditionalCheckFailedException e) {
            // Someone else's record now, or already completed: leave it.
        } catch (SdkException e) {
            LOG.warn("releasing an idempotency key failed; it frees itself when its lease runs out", e);
        }
    }

    private static Map<String, String> headers(String json) {
        try {
            return Json.MAPPER.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("idempotency record with unreadable headers", e);
        }
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
