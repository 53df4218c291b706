package shop.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import shop.platform.config.Env;

/**
 * ColdStartProbe runs in a fresh JVM, as a Lambda execution environment's first request would:
 * load the handler class, construct it (the init phase), deserialise one event with the runtime's
 * serializer, invoke, serialise the response. It prints one line
 * {@code jvmToMainMs initMs firstInvokeMs totalMs} measured from the JVM's own start time.
 *
 * <p>Usage: {@code ColdStartProbe HANDLER_CLASS EVENT_FILE} with the function's environment in the
 * process environment.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    /** main probes one handler once. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long atMain = System.currentTimeMillis();
        Class<?> type = Class.forName(args[0]);
        RequestHandler handler = (RequestHandler) type.getConstructor(Env.class).newInstance(Env.system());
        long afterInit = System.currentTimeMillis();
        Class<?> input = inputType(type);
        PojoSerializer in = LambdaEventSerializers.serializerFor(input, ColdStartProbe.class.getClassLoader());
        Object event;
        try (InputStream stream = Files.newInputStream(Path.of(args[1]))) {
            event = in.fromJson(stream);
        }
        Object output;
        try {
            output = handler.handleRequest(event, null);
        } catch (RuntimeException e) {
            // The runtime turns a thrown exception into an error response (API Gateway's 401 for the
            // authorizer's "Unauthorized"): still the first response.
            output = java.util.Map.of("errorMessage", String.valueOf(e.getMessage()));
        }
        if (output != null) {
            PojoSerializer out = LambdaEventSerializers.serializerFor(output.getClass(), ColdStartProbe.class.getClassLoader());
            out.toJson(output, new ByteArrayOutputStream());
        }
        long done = System.currentTimeMillis();
        System.out.println("PROBE " + (atMain - jvmStart) + " " + (afterInit - atMain) + " " + (done - afterInit) + " "
                + (done - jvmStart));
        System.exit(0);
    }

    private static Class<?> inputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    return (Class<?>) p.getActualTypeArguments()[0];
                }
            }
        }
        throw new IllegalArgumentException(handler + " is not a RequestHandler");
    }
}
