package shop.dev;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.stack.FunctionEnvironment;
import shop.stack.Provisioned;
import shop.stack.StackEndpoints;
import shop.stack.Template;

/**
 * LocalEnvironment computes what each function sees locally: the template's parameters given local
 * values, the variables that point at the local stack (endpoints, bucket and table names, the
 * runner's JWKS), and the user's own overrides on top ({@code --env NAME=VALUE} for every function
 * that declares NAME, {@code --env-vars FILE} in {@code sam local}'s format).
 */
final class LocalEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEnvironment.class);

    private LocalEnvironment() {
    }

    /** parameters gives the template parameters without a Default a local value; {@code user} wins. */
    static Map<String, String> parameters(StackEndpoints endpoints, int port, Map<String, String> user) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("SubnetIds", "subnet-local");
        p.put("SecurityGroupIds", "sg-local");
        p.put("DbEndpoint", "127.0.0.1");
        p.put("DbSecretArn", "arn:aws:secretsmanager:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":secret:local");
        p.put("DbMigrationSecretArn", "arn:aws:secretsmanager:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT
                + ":secret:local-migration");
        p.put("RedisAuthSecretArn", "none");
        p.put("RedisNodes", String.join(",", endpoints.redisNodes()));
        p.put("RedisTls", "false");
        p.put("JwtIssuer", SigningKey.ISSUER);
        p.put("JwtAudience", SigningKey.AUDIENCE);
        p.put("JwksUrl", jwksUrl(port));
        p.putAll(user);
        return p;
    }

    /**
     * overrides are the variables that replace the template's values for every function declaring them;
     * {@code imagesBaseUrl} is where the stack's stand-in of the images distribution serves, if it has one.
     */
    static Map<String, String> overrides(StackEndpoints endpoints, Provisioned resources, int port,
                                         Optional<URI> imagesBaseUrl, Map<String, String> user) {
        Map<String, String> o = new LinkedHashMap<>(endpoints.toEnvironment());
        resources.physicalIds().forEach((logicalId, name) -> {
            switch (logicalId) {
                case "ImagesBucket" -> o.put("IMAGES_BUCKET", name);
                case "UploadTicketsTable" -> o.put("UPLOAD_TICKETS_TABLE", name);
                case "IdempotencyTable" -> o.put("IDEMPOTENCY_TABLE", name);
                default -> { }
            }
        });
        // DatabaseSchema's answer in AWS; the runner migrates before it serves, and no code reads it.
        o.put("SCHEMA_VERSION", "local");
        o.put("DB_SECRET_ARN", "");
        o.put("REDIS_AUTH_SECRET_ARN", "");
        o.put("DB_CA_BUNDLE", "");
        o.put("REDIS_TLS", "false");
        o.put("JWT_ISSUER", SigningKey.ISSUER);
        o.put("JWT_AUDIENCE", SigningKey.AUDIENCE);
        o.put("JWKS_URL", jwksUrl(port));
        // Served as deployed: verified images from images/, with the distribution's headers.
        imagesBaseUrl.ifPresent(url -> o.put("PUBLIC_IMAGE_BASE_URL", url.toString()));
        o.putAll(user);
        return o;
    }

    /**
     * perFunction adds what single functions see locally to the user's own per-function variables
     * (which win): MigrateFunction connects as the migration user, every other function as the
     * application user of {@link #overrides}, as each does deployed with its own secret.
     */
    static Map<String, Map<String, String>> perFunction(StackEndpoints endpoints, Map<String, Map<String, String>> user) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> migrate = new LinkedHashMap<>();
        migrate.put("DB_USER", endpoints.migration().user());
        migrate.put("DB_PASSWORD", endpoints.migration().password());
        out.put("MigrateFunction", migrate);
        user.forEach((id, vars) -> out.computeIfAbsent(id, k -> new LinkedHashMap<>()).putAll(vars));
        return out;
    }

    /** jwksUrl is where the runner serves the public keys of local tokens. */
    static String jwksUrl(int port) {
        return "http://127.0.0.1:" + port + "/.well-known/jwks.json";
    }

    /**
     * specs builds every function's spec. A function whose environment cannot be resolved still gets a
     * spec, which fails when invoked, so the other functions keep working.
     */
    static Map<String, FunctionSpec> specs(Template template, Map<String, String> parameters, Provisioned resources,
                                           Map<String, String> overrides, Map<String, Map<String, String>> perFunction) {
        Map<String, Object> globals = template.globals("Function");
        Map<String, FunctionSpec> specs = new LinkedHashMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            String handler = String.valueOf(props.getOrDefault("Handler", globals.get("Handler")));
            String[] parts = handler.split("::", 2);
            int memory = number(props.getOrDefault("MemorySize", globals.getOrDefault("MemorySize", 128)));
            int timeout = number(props.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3)));
            Map<String, String> fnOverrides = new LinkedHashMap<>(overrides);
            fnOverrides.put("AWS_LAMBDA_FUNCTION_NAME", id);
            fnOverrides.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
            fnOverrides.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            fnOverrides.putAll(perFunction.getOrDefault(id, Map.of()));
            Map<String, String> env = Map.of();
            String error = null;
            try {
                // Local credentials (DB_USER/DB_PASSWORD, local-only variables) replace the Secrets
                // Manager secret, whose DB_SECRET_ARN is blanked above.
                env = new LinkedHashMap<>(FunctionEnvironment.resolve(template, id, parameters, resources.physicalIds(),
                        fnOverrides));
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
                LOG.error("{}: {}", id, error);
            }
            specs.put(id, new FunctionSpec(id, parts[0], parts.length > 1 ? parts[1] : "handleRequest", memory, timeout,
                    env, error));
        });
        return specs;
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
    }
}
