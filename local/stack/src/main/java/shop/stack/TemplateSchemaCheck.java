package shop.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * TemplateSchemaCheck validates {@code template.yaml} against the official SAM JSON schema
 * (draft 4), after turning the short-form intrinsic tags into their long form as CloudFormation
 * does. CI runs it with the schema from {@code ../shared/schemas}; exits 1 listing every error.
 *
 * <p>Usage: {@code TemplateSchemaCheck TEMPLATE SCHEMA}
 */
public final class TemplateSchemaCheck {
    private TemplateSchemaCheck() {
    }

    /** main validates and prints the result. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TemplateSchemaCheck template.yaml sam.schema.json");
            System.exit(2);
        }
        Set<ValidationMessage> errors = validate(Path.of(args[0]), Path.of(args[1]));
        if (errors.isEmpty()) {
            System.out.println(args[0] + " is valid against " + args[1]);
            return;
        }
        errors.forEach(e -> System.err.println(e.getMessage()));
        System.err.println(errors.size() + " schema error(s) in " + args[0]);
        System.exit(1);
    }

    /** validate returns the schema violations of a template. */
    public static Set<ValidationMessage> validate(Path template, Path schema) throws java.io.IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode schemaNode = mapper.readTree(Files.readString(schema));
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schemaNode);
        JsonNode doc = mapper.valueToTree(Template.load(template).root());
        return validator.validate(doc);
    }
}
