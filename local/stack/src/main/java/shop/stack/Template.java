package shop.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Template is {@code template.yaml} as plain maps and lists, with CloudFormation's short-form
 * intrinsic tags ({@code !Ref}, {@code !Sub}, {@code !GetAtt}...) turned into their long form
 * ({@code {"Ref": ...}}, {@code {"Fn::Sub": ...}}), the way CloudFormation itself reads them.
 * The local runner, the provisioner and the template tests all read the template through it.
 */
public final class Template {
    private static final List<String> FUNCTIONS = List.of("Base64", "Cidr", "FindInMap", "GetAZs",
            "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
            "Contains", "EachMemberEquals", "ValueOf", "Length", "ToJsonString");

    private final Map<String, Object> root;

    private Template(Map<String, Object> root) {
        this.root = root;
    }

    /** load parses a template file. */
    public static Template load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Object doc = new Yaml(new IntrinsicConstructor()).load(reader);
            if (!(doc instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(file + " is not a YAML mapping");
            }
            return new Template(cast(map));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** loadDefault parses the project's template.yaml. */
    public static Template loadDefault() {
        return load(ProjectRoot.find().resolve("template.yaml"));
    }

    /** root returns the whole document. */
    public Map<String, Object> root() {
        return root;
    }

    /** resources returns the Resources section by logical id. */
    public Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((k, v) -> out.put(k, map(v)));
        return out;
    }

    /** resourcesOfType returns the resources of one CloudFormation/SAM type, by logical id. */
    public Map<String, Map<String, Object>> resourcesOfType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        resources().forEach((id, r) -> {
            if (type.equals(r.get("Type"))) {
                out.put(id, r);
            }
        });
        return out;
    }

    /** properties returns a resource's Properties. */
    public Map<String, Object> properties(String logicalId) {
        Map<String, Object> resource = resources().get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("template.yaml has no resource " + logicalId);
        }
        return map(resource.get("Properties"));
    }

    /** globals returns the Globals section for a kind (Function, Api), or an empty map. */
    public Map<String, Object> globals(String kind) {
        return map(map(root.get("Globals")).get(kind));
    }

    /** map views a YAML value as a mapping; null becomes empty. */
    public static Map<String, Object> map(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m) {
            return cast(m);
        }
        throw new IllegalArgumentException("expected a mapping, got " + value);
    }

    /** list views a YAML value as a sequence; null becomes empty. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException("expected a sequence, got " + value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** A SafeConstructor that knows CloudFormation's short-form tags. */
    private static final class IntrinsicConstructor extends SafeConstructor {
        IntrinsicConstructor() {
            super(new LoaderOptions());
            register("Ref", "Ref");
            register("Condition", "Condition");
            register("GetAtt", "Fn::GetAtt");
            for (String fn : FUNCTIONS) {
                register(fn, "Fn::" + fn);
            }
        }

        private void register(String tag, String longForm) {
            this.yamlConstructors.put(new Tag("!" + tag), new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    Object value = switch (node) {
                        case ScalarNode s -> {
                            String text = s.getValue();
                            yield "Fn::GetAtt".equals(longForm)
                                    ? new ArrayList<>(Arrays.asList(text.split("\\.", 2)))
                                    : text;
                        }
                        case SequenceNode s -> constructSequence(s);
                        case MappingNode m -> constructMapping(m);
                        default -> throw new IllegalArgumentException("unexpected node for !" + tag);
                    };
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put(longForm, value);
                    return out;
                }
            });
        }
    }
}
