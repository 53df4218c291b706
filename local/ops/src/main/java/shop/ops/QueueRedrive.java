package shop.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * QueueRedrive replays a stack's failed asynchronous events: it reads Lambda's on-failure records
 * from the FailedEventsQueue, invokes the function each names ({@code requestContext.functionArn},
 * the live alias) synchronously with the original event ({@code requestPayload}), and deletes the
 * message only when the function handled it. A message that fails again stays, invisible for the
 * queue's visibility timeout, so one run tries each message once. The handlers are idempotent, so
 * an event that SQS hands out twice is applied once.
 */
public final class QueueRedrive {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Result is what happened to one message.
     *
     * @param messageId   the SQS message id
     * @param functionArn the function it was replayed through
     * @param outcome     {@code redriven} (deleted), {@code failed} (kept) or {@code skipped} (another function; kept)
     * @param detail      the error when it failed, else empty
     */
    public record Result(String messageId, String functionArn, String outcome, String detail) {
        @Override
        public String toString() {
            return messageId + "  " + functionArn + "  " + outcome + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private final SqsClient sqs;
    private final LambdaClient lambda;

    public QueueRedrive(SqsClient sqs, LambdaClient lambda) {
        this.sqs = sqs;
        this.lambda = lambda;
    }

    /**
     * redrive replays up to {@code max} messages of {@code queueUrl}, only those for functions whose
     * ARN contains {@code functionFilter} when it is present.
     */
    public List<Result> redrive(String queueUrl, Optional<String> functionFilter, int max) {
        List<Result> results = new ArrayList<>();
        List<Message> skipped = new ArrayList<>();
        while (results.size() < max) {
            int want = Math.min(10, max - results.size());
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(want).waitTimeSeconds(1))
                    .messages();
            if (messages.isEmpty()) {
                break;
            }
            for (Message message : messages) {
                Result r = replay(queueUrl, message, functionFilter);
                results.add(r);
                if (r.outcome().equals("skipped")) {
                    skipped.add(message);
                }
            }
        }
        // Kept invisible during the run so they are not read twice; visible again for the next run.
        skipped.forEach(m -> release(queueUrl, m));
        return results;
    }

    private Result replay(String queueUrl, Message message, Optional<String> functionFilter) {
        JsonNode record;
        try {
            record = JSON.readTree(message.body());
        } catch (java.io.IOException e) {
            return new Result(message.messageId(), "", "failed", "not a Lambda destination record: " + e.getMessage().lines().findFirst().orElse(""));
        }
        String functionArn = record.path("requestContext").path("functionArn").asText("");
        JsonNode payload = record.path("requestPayload");
        if (functionArn.isEmpty() || payload.isMissingNode()) {
            return new Result(message.messageId(), functionArn, "failed",
                    "no requestContext.functionArn or requestPayload: not a Lambda on-failure record");
        }
        if (functionFilter.isPresent() && !functionArn.contains(functionFilter.get())) {
            return new Result(message.messageId(), functionArn, "skipped", "");
        }
        try {
            InvokeResponse response = lambda.invoke(b -> b.functionName(functionArn).invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(SdkBytes.fromUtf8String(payload.toString())));
            if (response.functionError() != null) {
                return new Result(message.messageId(), functionArn, "failed", response.functionError() + ": "
                        + response.payload().asUtf8String());
            }
        } catch (LambdaException e) {
            return new Result(message.messageId(), functionArn, "failed", e.awsErrorDetails() == null ? e.getMessage()
                    : e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
        }
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        return new Result(message.messageId(), functionArn, "redriven", "");
    }

    /** release makes a skipped message visible again at once. */
    private void release(String queueUrl, Message message) {
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(0));
    }
}
