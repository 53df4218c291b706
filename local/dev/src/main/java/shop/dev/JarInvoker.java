package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * JarInvoker is the runtime side of {@code ./dev invoke}: it runs in a fresh JVM whose classpath is
 * the deployable jar (the bytes {@code sam deploy} uploads) plus the runtime's serializer, with the
 * function's environment as the process environment, and does what the Java runtime does for one
 * invocation: construct the handler with its no-argument constructor (so it reads its configuration
 * from the environment, as in Lambda), deserialise the event into its input type with the runtime's
 * serializer, invoke it with a Context ({@link LocalContext}, named and versioned from the
 * environment), serialise the output.
 *
 * <p>Like {@code sam local invoke}, the function's own output (its log lines) goes to stderr and the
 * response alone to stdout; a failed invocation prints Lambda's error document and exits 1. This
 * class and LocalContext use nothing but the JDK, the Lambda core types (in the jar) and the
 * serializer, so the jar's own dependencies and logging configuration are the only ones in play.
 *
 * <p>Usage: {@code JarInvoker pkg.Handler::method TIMEOUT_SECONDS EVENT.json [EVENT.json]...}: one
 * invocation per event, in order, in the same execution environment (the first is the cold one),
 * one response line each.
 */
public final class JarInvoker {
    private JarInvoker() {
    }

    /** main runs the invocations. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) throws Exception {
        PrintStream response = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // before any logging framework grabs System.out
        String[] handler = args[0].split("::", 2);
        long timeoutMillis = Long.parseLong(args[1]) * 1000L;
        try {
            Class<?> type = Class.forName(handler[0]);
            Object instance = type.getConstructor().newInstance();
            for (int i = 2; i < args.length; i++) {
                byte[] event = Files.readAllBytes(Path.of(args[i]));
                Context context = context(System.currentTimeMillis() + timeoutMillis);
                response.println(invoke(instance, type, event, context));
                response.flush();
            }
            System.exit(0);
        } catch (java.lang.reflect.InvocationTargetException e) {
            fail(response, e.getCause() == null ? e : e.getCause());
        } catch (Exception | Error e) {
            fail(response, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String invoke(Object instance, Class<?> type, byte[] event, Context context) throws Exception {
        if (instance instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new java.io.ByteArrayInputStream(event), out, context);
            return out.toString(StandardCharsets.UTF_8);
        }
        PojoSerializer in = serializer(inputType(type));
        Object output = ((RequestHandler) instance).handleRequest(in.fromJson(new java.io.ByteArrayInputStream(event)),
                context);
        if (output == null) {
            return "null";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(output.getClass()).toJson(output, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void fail(PrintStream response, Throwable t) {
        t.printStackTrace(System.err);
        StringBuilder json = new StringBuilder("{\"errorMessage\":").append(quote(String.valueOf(t.getMessage())))
                .append(",\"errorType\":").append(quote(t.getClass().getName())).append(",\"stackTrace\":[");
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < trace.length; i++) {
            json.append(i == 0 ? "" : ",").append(quote(trace[i].toString()));
        }
        response.println(json.append("]}"));
        response.flush();
        System.exit(1);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    /** serializer picks the runtime's serializer: its event serializer for the events library, else Jackson. */
    @SuppressWarnings("rawtypes")
    private static PojoSerializer serializer(Type type) {
        if (type instanceof Class<?> c && LambdaEventSerializers.isLambdaSupportedEvent(c.getName())) {
            return LambdaEventSerializers.serializerFor(c, JarInvoker.class.getClassLoader());
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    private static Type inputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    return p.getActualTypeArguments()[0];
                }
            }
        }
        throw new IllegalArgumentException(handler + " is not a RequestHandler");
    }

    /** context is the Context the runtime passes, filled from the variables Lambda sets. */
    private static Context context(long deadline) {
        String name = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "function");
        String version = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        int memory = Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"));
        return new LocalContext(UUID.randomUUID().toString(), name, version, memory, deadline);
    }
}
