package shop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code ./dev redrive --stack} against moto_server's SQS, Lambda and CloudFormation: the stack's
 * FailedEventsQueue holds Lambda's on-failure records; each is replayed through the function it
 * names and deleted once handled, while messages that are no such record stay in the queue. (moto
 * invokes without Docker here: its Lambda answers every invocation as handled, echoing the payload,
 * so a function failing again cannot be shown with it; the local redrive's tests show that.)
 */
class QueueRedriveMotoTest {
    private final MotoServer moto = MotoServer.get();
    private final AwsAccess aws = moto.aws();

    @BeforeEach
    void reset() {
        moto.reset();
        moto.simpleLambda();
    }

    private static String record(String functionArn, String payload) {
        return """
                {"version":"1.0","timestamp":"2026-12-01T10:00:00.000Z",
                 "requestContext":{"requestId":"r-1","functionArn":"%s","condition":"RetriesExhausted","approximateInvokeCount":3},
                 "requestPayload":%s,
                 "responseContext":{"statusCode":200,"executedVersion":"1","functionError":"Unhandled"},
                 "responsePayload":{"errorMessage":"1 of 1 upload records failed; retry the event","errorType":"x"}}
                """.formatted(functionArn, payload);
    }

    private static byte[] zip() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("handler.txt"));
            z.write("not run".getBytes());
            z.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void handledRecords_leaveTheQueue_andFailingOnesStay() throws Exception {
        String functionArn;
        String queueUrl;
        try (var cfn = aws.cloudFormation(); var sqs = aws.sqs(); var lambda = aws.lambda()) {
            cfn.createStack(b -> b.stackName(Deployments.STACK).templateBody("""
                    {"Resources": {"FailedEventsQueue": {"Type": "AWS::SQS::Queue"},
                                   "FunctionRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument":
                                       {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                       "Action": "sts:AssumeRole"}]}}}},
                     "Outputs": {"FailedEventsQueueUrl": {"Value": {"Ref": "FailedEventsQueue"}},
                                 "FunctionRoleArn": {"Value": {"Fn::GetAtt": ["FunctionRole", "Arn"]}}}}
                    """));
            StackInfo stack = StackInfo.describe(cfn, Deployments.STACK);
            queueUrl = stack.output("FailedEventsQueueUrl").orElseThrow();
            String role = stack.output("FunctionRoleArn").orElseThrow();
            byte[] code = zip();
            lambda.createFunction(b -> b.functionName("shop-test-UploadCompleteFunction").runtime("java21")
                    .handler("shop.media.UploadCompleteHandler::handleRequest")
                    .role(role).code(c -> c.zipFile(SdkBytes.fromByteArray(code))));
            String version = lambda.publishVersion(b -> b.functionName("shop-test-UploadCompleteFunction")).version();
            functionArn = lambda.createAlias(b -> b.functionName("shop-test-UploadCompleteFunction").name("live")
                    .functionVersion(version)).aliasArn();
            String url = queueUrl;
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(record(functionArn, "{\"Records\":[{\"n\":1}]}")));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(record(functionArn, "{\"Records\":[{\"n\":2}]}")));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("{\"Records\": []}"));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("not a destination record"));
        }

        List<QueueRedrive.Result> results;
        try (var sqs = aws.sqs(); var lambda = aws.lambda()) {
            results = new QueueRedrive(sqs, lambda).redrive(queueUrl, Optional.empty(), 100);
        }

        assertEquals(4, results.size(), results.toString());
        assertEquals(2, results.stream().filter(r -> r.outcome().equals("redriven") && r.functionArn().equals(functionArn)).count(),
                results.toString());
        assertEquals(2, results.stream().filter(r -> r.outcome().equals("failed") && r.detail().contains("not a Lambda")).count(),
                results.toString());
        try (var sqs = aws.sqs()) {
            String url = queueUrl;
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            int left = Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
            assertEquals(2, left, "the two that failed stay in the queue: " + attributes);
        }
    }

    @Test
    void aFunctionFilter_skipsOtherFunctionsRecords_andLeavesThemVisible() {
        String queueUrl;
        try (var cfn = aws.cloudFormation(); var sqs = aws.sqs()) {
            cfn.createStack(b -> b.stackName(Deployments.STACK).templateBody("""
                    {"Resources": {"FailedEventsQueue": {"Type": "AWS::SQS::Queue"}},
                     "Outputs": {"FailedEventsQueueUrl": {"Value": {"Ref": "FailedEventsQueue"}}}}
                    """));
            queueUrl = StackInfo.describe(cfn, Deployments.STACK).output("FailedEventsQueueUrl").orElseThrow();
            String url = queueUrl;
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(record(
                    "arn:aws:lambda:us-east-1:123456789012:function:shop-test-ReservationSweeperFunction:live", "{}")));
        }
        try (var sqs = aws.sqs(); var lambda = aws.lambda()) {
            List<QueueRedrive.Result> results = new QueueRedrive(sqs, lambda).redrive(queueUrl, Optional.of("UploadComplete"), 100);
            assertEquals(List.of("skipped"), results.stream().map(QueueRedrive.Result::outcome).toList());
            String url = queueUrl;
            assertEquals(1, sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages().size(),
                    "a skipped record is visible again for the next run");
        }
    }
}
