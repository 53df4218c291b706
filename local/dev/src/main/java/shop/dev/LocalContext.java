package shop.dev;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * LocalContext is the Lambda {@link Context} of one local invocation, filled the way the runtime
 * fills it: the request id, the function's logical id as its name, the memory and the deadline from
 * the template's MemorySize and Timeout, and a logger that writes to stderr.
 */
final class LocalContext implements Context {
    private final String requestId;
    private final String functionName;
    private final String version;
    private final int memoryMb;
    private final long deadlineMillis;
    private final LambdaLogger logger;

    LocalContext(String requestId, String functionName, int memoryMb, long deadlineMillis) {
        this(requestId, functionName, "$LATEST", memoryMb, deadlineMillis);
    }

    /** Creates the context of a published version's invocation (JarInvoker reads it from the environment). */
    LocalContext(String requestId, String functionName, String version, int memoryMb, long deadlineMillis) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.version = version;
        this.memoryMb = memoryMb;
        this.deadlineMillis = deadlineMillis;
        this.logger = new StderrLogger(System.err);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[" + version + "]" + requestId.replace("-", "");
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return version;
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    /** StderrLogger is the context's logger: each call one line on stderr, never on stdout. */
    private record StderrLogger(PrintStream err) implements LambdaLogger {
        @Override
        public void log(String message) {
            err.println(message);
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }
}
