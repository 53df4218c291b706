package shop.dev;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import shop.stack.Template;

/**
 * Intrinsics resolves the few intrinsic functions the API's own settings use ({@code !Ref} to a
 * parameter, {@code !Sub} over parameters and pseudo parameters), for the values the runner needs
 * from {@code ShopApi}: the stage name, the CORS headers and the gateway response headers.
 */
final class Intrinsics {
    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final Template template;
    private final Map<String, String> parameters;

    Intrinsics(Template template, Map<String, String> parameters) {
        this.template = template;
        this.parameters = Map.copyOf(parameters);
    }

    /** resolve turns a YAML value into a string, or fails naming what it cannot resolve. */
    String resolve(Object value) {
        return switch (value) {
            case null -> "";
            case String s -> s;
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            case Map<?, ?> m when m.size() == 1 && "Ref".equals(m.keySet().iterator().next()) ->
                    ref(String.valueOf(m.get("Ref")));
            case Map<?, ?> m when m.size() == 1 && "Fn::Sub".equals(m.keySet().iterator().next()) ->
                    sub(m.get("Fn::Sub"));
            default -> throw new IllegalArgumentException("cannot resolve " + value + " locally");
        };
    }

    /** unquoted resolves a value API Gateway takes as a quoted literal ({@code "'*'"}) and drops the quotes. */
    String unquoted(Object value) {
        String s = resolve(value);
        return s.length() >= 2 && s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
    }

    private String sub(Object arg) {
        String text = arg instanceof List<?> l ? String.valueOf(l.getFirst()) : String.valueOf(arg);
        Map<String, Object> vars = arg instanceof List<?> l && l.size() > 1 ? Template.map(l.get(1)) : Map.of();
        Matcher m = SUB_VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(sb, Matcher.quoteReplacement(vars.containsKey(name) ? resolve(vars.get(name)) : ref(name)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String ref(String name) {
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        Map<String, Object> declared = Template.map(template.root().get("Parameters"));
        if (declared.containsKey(name)) {
            Object def = Template.map(declared.get(name)).get("Default");
            if (def == null) {
                throw new IllegalArgumentException("parameter " + name + " has no Default and no local value");
            }
            return def instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                    : String.valueOf(def);
        }
        return switch (name) {
            case "AWS::Region" -> LocalAws.REGION;
            case "AWS::AccountId" -> LocalAws.ACCOUNT;
            case "AWS::StackName" -> LocalAws.STACK_NAME;
            case "AWS::Partition" -> "aws";
            case "AWS::URLSuffix" -> "amazonaws.com";
            default -> throw new IllegalArgumentException("!Ref " + name + " is not a parameter");
        };
    }
}
