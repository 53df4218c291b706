package shop.stack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * StackExtension gives a test class the JVM's shared {@link LocalStack}, started on first use and
 * stopped when the JVM exits: {@code @ExtendWith(StackExtension.class)}, then take a
 * {@code LocalStack} or {@code StackEndpoints} parameter.
 */
public final class StackExtension implements BeforeAllCallback, ParameterResolver {
    @Override
    public void beforeAll(ExtensionContext context) {
        LocalStack.shared();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalStack.class || type == StackEndpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        LocalStack stack = LocalStack.shared();
        return parameter.getParameter().getType() == LocalStack.class ? stack : stack.endpoints();
    }
}
