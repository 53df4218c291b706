package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.Env;

/**
 * LambdaFunctions runs the template's functions in this JVM, the way the Java runtime would: one
 * handler instance per function, built on first use through its public {@code (Env)} constructor
 * and then reused (a warm execution environment); each invocation takes the event as JSON,
 * deserialises it into the handler's input type with the runtime's own serializer
 * (aws-lambda-java-serialization) and serialises the output with it too.
 *
 * <p>Unlike Lambda, an instance may serve several invocations at once (see docs/local-runner.md).
 */
final class LambdaFunctions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.lambda");

    private final Map<String, FunctionSpec> specs;
    private final ClassLoader loader;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<String, Object> initLocks = new ConcurrentHashMap<>();

    LambdaFunctions(Map<String, FunctionSpec> specs, ClassLoader loader) {
        this.specs = Map.copyOf(new LinkedHashMap<>(specs));
        this.loader = loader;
    }

    /** HandlerMissingException says the handler class is not on the classpath (yet). */
    static final class HandlerMissingException extends RuntimeException {
        HandlerMissingException(String message) {
            super(message);
        }
    }

    /**
     * FunctionErrorException is a failed invocation, as Lambda reports it: the error type (the
     * exception's class, or {@code Runtime.InitError}) and message.
     */
    static final class FunctionErrorException extends RuntimeException {
        private final String errorType;

        FunctionErrorException(String errorType, String message, Throwable cause) {
            super(message, cause);
            this.errorType = errorType;
        }

        String errorType() {
            return errorType;
        }
    }

    /** ids returns the logical ids of the functions. */
    Set<String> ids() {
        return specs.keySet();
    }

    /** spec returns a function's spec, or fails naming the unknown id. */
    FunctionSpec spec(String id) {
        FunctionSpec spec = specs.get(id);
        if (spec == null) {
            throw new IllegalArgumentException("template.yaml has no function " + id + "; it has " + specs.keySet());
        }
        return spec;
    }

    /** handlerPresent tells whether the function's handler class is on the classpath, without loading it. */
    boolean handlerPresent(String id) {
        try {
            Class.forName(spec(id).handlerClass(), false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** inputType returns the type the handler takes, building the handler if needed. */
    Type inputType(String id) {
        return handler(id).inputType;
    }

    /**
     * invoke runs one invocation and returns the output JSON ({@code null} for a void handler).
     *
     * @throws HandlerMissingException when the class does not exist
     * @throws FunctionErrorException  when construction or the handler fails
     */
    String invoke(String id, String eventJson, String requestId) {
        Loaded handler = handler(id);
        FunctionSpec spec = spec(id);
        long start = System.currentTimeMillis();
        Context context = new LocalContext(requestId, id, spec.memoryMb(), start + spec.timeoutSeconds() * 1000L);
        try {
            String output = handler.call(eventJson, context);
            long took = System.currentTimeMillis() - start;
            if (took > spec.timeoutSeconds() * 1000L) {
                LOG.warn("{} took {} ms, over its Timeout of {} s: Lambda would have stopped it (Task timed out)",
                        id, took, spec.timeoutSeconds());
            }
            LOG.debug("END RequestId: {} {} Duration: {} ms", requestId, id, took);
            return output;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new FunctionErrorException(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
        } catch (ReflectiveOperationException e) {
            throw new FunctionErrorException("Runtime.HandlerInvocationError", e.toString(), e);
        } catch (RuntimeException e) {
            // The runtime serializer could not read the event or write the output.
            throw new FunctionErrorException(e.getClass().getName(), String.valueOf(e.getMessage()), e);
        }
    }

    private Loaded handler(String id) {
        Loaded existing = loaded.get(id);
        if (existing != null) {
            return existing;
        }
        synchronized (initLocks.computeIfAbsent(id, k -> new Object())) {
            existing = loaded.get(id);
            if (existing == null) {
                existing = load(spec(id));
                loaded.put(id, existing);
            }
            return existing;
        }
    }

    private Loaded load(FunctionSpec spec) {
        Class<?> type;
        try {
            type = Class.forName(spec.handlerClass(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new HandlerMissingException("handler class " + spec.handlerClass() + " of " + spec.id()
                    + " does not exist (yet)");
        }
        if (spec.configError() != null) {
            throw new FunctionErrorException("Runtime.InitError", spec.configError(), null);
        }
        Method method = handlerMethod(type, spec);
        long t0 = System.nanoTime();
        Object instance;
        try {
            Constructor<?> constructor = type.getConstructor(Env.class);
            instance = constructor.newInstance(Env.of(spec.environment()));
        } catch (NoSuchMethodException e) {
            throw new FunctionErrorException("Runtime.InitError", spec.handlerClass()
                    + " has no public constructor (shop.platform.config.Env) for the local runner", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            LOG.error("{}: init of {} failed", spec.id(), spec.handlerClass(), cause);
            throw new FunctionErrorException("Runtime.InitError", cause.getClass().getName() + ": " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new FunctionErrorException("Runtime.InitError", e.toString(), e);
        }
        LOG.info("{}: init {} in {} ms", spec.id(), type.getSimpleName(), (System.nanoTime() - t0) / 1_000_000);
        return new Loaded(instance, method, loader);
    }

    private static Method handlerMethod(Class<?> type, FunctionSpec spec) {
        Optional<Method> method = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(spec.handlerMethod()) && !m.isBridge() && !m.isSynthetic()
                        && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() <= 3)
                // The most specific signature wins, as the runtime's lookup does: (I, Context) over (I).
                .max(Comparator.comparingInt(Method::getParameterCount));
        return method.orElseThrow(() -> new FunctionErrorException("Runtime.HandlerNotFound",
                spec.handlerClass() + " has no public method " + spec.handlerMethod(), null));
    }

    @Override
    public void close() {
        loaded.values().forEach(l -> {
            if (l.instance instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", l.instance.getClass().getName(), e.toString());
                }
            }
        });
        loaded.clear();
    }

    /** A built handler and how to call it. */
    private static final class Loaded {
        final Object instance;
        final Method method;
        final boolean stream;
        final Type inputType;
        final PojoSerializer<Object> in;
        final PojoSerializer<Object> out;

        Loaded(Object instance, Method method, ClassLoader loader) {
            this.instance = instance;
            this.method = method;
            Class<?>[] params = method.getParameterTypes();
            this.stream = params.length == 3 && params[0] == InputStream.class && params[1] == OutputStream.class;
            this.inputType = stream || params.length == 0 ? InputStream.class : method.getGenericParameterTypes()[0];
            this.in = stream || params.length == 0 ? null : serializer(inputType, loader);
            Type output = method.getGenericReturnType();
            this.out = stream || output == void.class || output == Void.class ? null : serializer(output, loader);
        }

        String call(String eventJson, Context context) throws ReflectiveOperationException {
            if (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                method.invoke(instance, new ByteArrayInputStream(eventJson.getBytes(StandardCharsets.UTF_8)), bytes, context);
                return bytes.toString(StandardCharsets.UTF_8);
            }
            Object result = switch (method.getParameterCount()) {
                case 0 -> method.invoke(instance);
                case 1 -> method.invoke(instance, in.fromJson(eventJson));
                default -> method.invoke(instance, in.fromJson(eventJson), context);
            };
            if (out == null) {
                return "null";
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            out.toJson(result, bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** serializer picks the runtime's serializer for a type: its event serializer for the events library, else Jackson. */
    @SuppressWarnings("unchecked")
    static PojoSerializer<Object> serializer(Type type, ClassLoader loader) {
        if (type instanceof Class<?> c && LambdaEventSerializers.isLambdaSupportedEvent(c.getName())) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(c, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    /** newRequestId returns a fresh id in the shape Lambda uses. */
    static String newRequestId() {
        return UUID.randomUUID().toString();
    }
}
