package shop.platform.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * DynamoIdempotencyStore keeps idempotency records in DynamoDB with conditional writes only (no
 * transactions: the local stand-in has none). A record is {@code IN_PROGRESS} while its request
 * runs (for at most {@code inProgressFor}, so a crashed invocation does not block the key for
 * good) and {@code COMPLETED} with the response afterwards, for {@code retention}. Expired records
 * count as absent here, because DynamoDB's TTL deletes them late.
 */
public final class DynamoIdempotencyStore implements IdempotencyStore {
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

    @Override
    public Claim claim(String key, String fingerprint, Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                dynamo.putItem(r -> r.tableName(table)
                        .item(Map.of("id", s(key), "fingerprint", s(fingerprint), "state", s("IN_PROGRESS"),
                                "lockedUntil", n(now.plus(inProgressFor).toEpochMilli()),
                                "ttl", n(now.plus(retention).getEpochSecond())))
                        .conditionExpression("attribute_not_exists(id) OR #ttl < :nowSec"
                                + " OR (#state = :inProgress AND lockedUntil < :nowMs)")
                        .expressionAttributeNames(Map.of("#ttl", "ttl", "#state", "state"))
                        .expressionAttributeValues(Map.of(":nowSec", n(now.getEpochSecond()),
                                ":nowMs", n(now.toEpochMilli()), ":inProgress", s("IN_PROGRESS"))));
                return new Claim.Fresh();
            } catch (ConditionalCheckFailedException e) {
                GetItemResponse got = dynamo.getItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                        .consistentRead(true));
                if (!got.hasItem() || got.item().isEmpty()) {
                    continue; // deleted between the two calls: claim again
                }
                Map<String, AttributeValue> item = got.item();
                if (!fingerprint.equals(item.get("fingerprint").s())) {
                    return new Claim.Mismatch();
                }
                if ("COMPLETED".equals(item.get("state").s())) {
                    return new Claim.Replay(Integer.parseInt(item.get("status").n()), item.get("body").s());
                }
                return new Claim.InProgress();
            }
        }
        return new Claim.InProgress();
    }

    @Override
    public void complete(String key, String fingerprint, int status, String body, Instant now) {
        dynamo.updateItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                .updateExpression("SET #state = :completed, #status = :status, body = :body, #ttl = :ttl")
                .conditionExpression("fingerprint = :fp")
                .expressionAttributeNames(Map.of("#state", "state", "#status", "status", "#ttl", "ttl"))
                .expressionAttributeValues(Map.of(":completed", s("COMPLETED"), ":status", n(status),
                        ":body", s(body), ":ttl", n(now.plus(retention).getEpochSecond()), ":fp", s(fingerprint))));
    }

    @Override
    public void release(String key, String fingerprint) {
        try {
            dynamo.deleteItem(r -> r.tableName(table).key(Map.of("id", s(key)))
                    .conditionExpression("fingerprint = :fp AND #state = :inProgress")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":fp", s(fingerprint), ":inProgress", s("IN_PROGRESS"))));
        } catch (ConditionalCheckFailedException e) {
            // Someone else's record now, or already completed: leave it.
        }
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
