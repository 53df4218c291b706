package shop.media;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import shop.platform.aws.SdkFailures;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.error.ProblemException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * DynamoUploadTicketRepository keeps tickets in the UPLOAD_TICKETS_TABLE (hash key {@code uploadId},
 * TTL attribute {@code ttl}) with conditional writes only. The TTL is the ticket's validity while it
 * is PENDING and {@link UploadTicket#KEEP_DONE} after it is decided. SDK failures other than a failed
 * condition are {@link DependencyUnavailableException}s, so the caller retries (or, when the request's
 * deadline cut the call, {@link shop.platform.error.DeadlineExceededException}s: {@link SdkFailures}).
 */
public final class DynamoUploadTicketRepository implements UploadTicketRepository {
    private final DynamoDbClient dynamo;
    private final String table;

    /** Creates the repository over a table. */
    public DynamoUploadTicketRepository(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean create(UploadTicket t) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("uploadId", s(t.uploadId()));
        item.put("objectKey", s(t.key()));
        item.put("target", s(t.target().wire()));
        item.put("targetId", n(t.targetId()));
        item.put("slot", s(t.slot()));
        item.put("contentType", s(t.type().mediaType()));
        item.put("contentLength", n(t.contentLength()));
        item.put("expiresAt", n(t.expiresAt().toEpochMilli()));
        item.put("validUntil", n(t.validUntil().toEpochMilli()));
        item.put("requestedBy", s(t.requestedBy().isEmpty() ? "-" : t.requestedBy()));
        item.put("createdAt", n(t.createdAt().toEpochMilli()));
        item.put("status", s(t.status().name()));
        item.put("ttl", n(t.validUntil().getEpochSecond() + 1));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(uploadId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<UploadTicket> find(String uploadId) {
        GetItemResponse got;
        try {
            got = dynamo.getItem(r -> r.tableName(table).key(Map.of("uploadId", s(uploadId))).consistentRead(true));
        } catch (SdkException e) {
            throw unavailable(e);
        }
        if (!got.hasItem() || got.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> i = got.item();
        return Optional.of(new UploadTicket(str(i, "uploadId"), str(i, "objectKey"),
                UploadTarget.parse(str(i, "target")).orElseThrow(), num(i, "targetId"), str(i, "slot"),
                ImageType.ofMediaType(str(i, "contentType")).orElseThrow(), num(i, "contentLength"),
                Instant.ofEpochMilli(num(i, "expiresAt")), Instant.ofEpochMilli(num(i, "validUntil")),
                str(i, "requestedBy"), Instant.ofEpochMilli(num(i, "createdAt")),
                UploadStatus.valueOf(str(i, "status")), opt(i, "imageUrl"), opt(i, "reason"), opt(i, "sequencer")));
    }

    @Override
    public boolean transition(String uploadId, UploadStatus from, Optional<String> fromSequencer, UploadStatus to,
                              String sequencer, Optional<String> imageUrl, Optional<String> reason, Instant now) {
        Map<String, String> names = new HashMap<>(Map.of("#status", "status", "#ttl", "ttl", "#seq", "sequencer"));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":from", s(from.name()));
        values.put(":to", s(to.name()));
        values.put(":seq", s(sequencer));
        values.put(":now", n(now.toEpochMilli()));
        values.put(":ttl", n(now.plus(UploadTicket.KEEP_DONE).getEpochSecond()));
        StringBuilder set = new StringBuilder("SET #status = :to, #seq = :seq, updatedAt = :now, #ttl = :ttl");
        StringBuilder remove = new StringBuilder();
        if (imageUrl.isPresent()) {
            set.append(", imageUrl = :url");
            values.put(":url", s(imageUrl.get()));
        } else {
            remove.append(" REMOVE imageUrl");
        }
        if (reason.isPresent()) {
            set.append(", reason = :reason");
            values.put(":reason", s(reason.get()));
        } else {
            remove.append(remove.isEmpty() ? " REMOVE reason" : ", reason");
        }
        String condition = "#status = :from AND ";
        if (fromSequencer.isPresent()) {
            condition += "#seq = :fromSeq";
            values.put(":fromSeq", s(fromSequencer.get()));
        } else {
            condition += "attribute_not_exists(#seq)";
        }
        String update = set + remove.toString();
        String cond = condition;
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("uploadId", s(uploadId)))
                    .updateExpression(update).conditionExpression(cond)
                    .expressionAttributeNames(names).expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw unavailable(e);
        }
    }

    private static ProblemException unavailable(SdkException e) {
        return SdkFailures.problem("the upload tickets table", e);
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || v.s() == null) {
            throw new IllegalStateException("upload ticket has no attribute " + name);
        }
        return v.s();
    }

    private static Optional<String> opt(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null ? Optional.empty() : Optional.of(v.s());
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || v.n() == null) {
            throw new IllegalStateException("upload ticket has no attribute " + name);
        }
        return Long.parseLong(v.n());
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
