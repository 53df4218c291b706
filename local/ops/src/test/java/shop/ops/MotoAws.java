package shop.ops;

import java.util.Optional;
import shop.stack.MotoServer;
import software.amazon.awssdk.regions.Region;

/** MotoAws points the operators' tools at this JVM's {@link MotoServer}, with moto's test credentials. */
final class MotoAws {
    private MotoAws() {
    }

    /** access returns the clients of the shared emulator in us-east-1. */
    static AwsAccess access(MotoServer moto) {
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        return new AwsAccess(Region.US_EAST_1, Optional.of(moto.endpoint()));
    }

    /** invokeWithoutDocker makes moto's Lambda Invoke answer without Docker: it echoes the payload, as a handler that succeeded. */
    static void invokeWithoutDocker(MotoServer moto) {
        moto.configure("{\"lambda\": {\"use_docker\": false}}");
    }
}
