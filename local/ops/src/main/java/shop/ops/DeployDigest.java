package shop.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import shop.stack.Template;

/**
 * DeployDigest is the value {@code ./dev deploy} passes as the template's {@code DeployDigest}
 * parameter, which every function names as its {@code AutoPublishCodeSha256}: SAM then names each
 * function's published version by it instead of by its own hash. SAM's own hash sees the
 * function's properties as written, with {@code !Ref}s of parameters unresolved, so a deploy that
 * only changes a parameter (RdsProxy, DbSecretArn, AllowedOrigin...) would update {@code $LATEST}
 * and leave the {@code live} alias on the old configuration.
 *
 * <p>The digest is the first 10 hex digits (the part SAM puts in the version's logical id) of a
 * SHA-256 over everything a function runs with that the deploy decides:
 * <ul>
 *   <li>every local artifact the template names (each {@code CodeUri} and layer {@code ContentUri}):
 *       a file by its bytes, a folder by every file's relative path and bytes;</li>
 *   <li>the template, parsed (comments and layout do not count, every value does);</li>
 *   <li>the value of every template parameter but {@code DeployDigest} itself, as CloudFormation
 *       will use it (see {@link SamDeploy#effectiveParameters}).</li>
 * </ul>
 * Equal inputs give an equal digest, so a deploy that changes nothing publishes nothing.
 *
 * @param value      the 10 hex digits
 * @param template   SHA-256 of the parsed template
 * @param artifacts  SHA-256 of each local artifact, by its path in the template
 * @param parameters the parameter values that went in, by name
 */
public record DeployDigest(String value, String template, Map<String, String> artifacts, Map<String, String> parameters) {
    /** PARAMETER is the template parameter the digest is passed in. */
    public static final String PARAMETER = "DeployDigest";
    /** LENGTH is how many hex digits SAM uses of AutoPublishCodeSha256 (LogicalIdGenerator.HASH_LENGTH). */
    public static final int LENGTH = 10;

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /**
     * compute digests the template at {@code templateFile}, the artifacts it names (resolved against
     * the template's folder, as {@code sam deploy} does) and {@code parameters}.
     */
    public static DeployDigest compute(Path templateFile, Map<String, String> parameters) {
        Template template = Template.load(templateFile);
        Path dir = templateFile.toAbsolutePath().getParent();
        Map<String, String> artifacts = new TreeMap<>();
        for (String path : artifactPaths(template)) {
            Path p = dir.resolve(path).normalize();
            if (!Files.exists(p)) {
                throw new IllegalStateException(path + " (named by the template) does not exist: build it first"
                        + " (./mvnw -B -pl functions -am package -DskipTests)");
            }
            artifacts.put(path, Files.isDirectory(p) ? treeHash(p) : fileHash(p));
        }
        Map<String, String> params = new TreeMap<>(parameters);
        params.remove(PARAMETER);
        String templateHash = sha256(canonical(template.root()));
        Map<String, Object> all = new TreeMap<>();
        all.put("template", templateHash);
        all.put("artifacts", artifacts);
        all.put("parameters", params);
        String value = sha256(canonical(all)).substring(0, LENGTH);
        return new DeployDigest(value, templateHash, Map.copyOf(artifacts), Map.copyOf(params));
    }

    /** artifactPaths lists the local paths the template deploys: CodeUri of functions (and Globals), ContentUri of layers. */
    static List<String> artifactPaths(Template template) {
        List<String> out = new ArrayList<>();
        addLocal(out, template.globals("Function").get("CodeUri"));
        template.resourcesOfType("AWS::Serverless::Function").keySet()
                .forEach(id -> addLocal(out, template.properties(id).get("CodeUri")));
        template.resourcesOfType("AWS::Serverless::LayerVersion").keySet()
                .forEach(id -> addLocal(out, template.properties(id).get("ContentUri")));
        return out.stream().distinct().sorted().toList();
    }

    private static void addLocal(List<String> out, Object uri) {
        if (uri instanceof String s && !s.startsWith("s3://")) {
            out.add(s);
        }
    }

    private static byte[] canonical(Object value) {
        try {
            return CANONICAL.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the template", e);
        }
    }

    /** treeHash digests a folder: each regular file's path (relative, with /) and content hash, sorted by path. */
    static String treeHash(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), fileHash(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return sha256(canonical(files));
    }

    /** fileHash is the SHA-256 of a file's bytes, in hex. */
    static String fileHash(Path file) {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** describe says in one line per input what went into the digest. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("template.yaml (parsed) " + template.substring(0, 12));
        artifacts.forEach((path, hash) -> out.add(path + " " + hash.substring(0, 12)));
        out.add(parameters.size() + " parameter values");
        return out;
    }

    @Override
    public String toString() {
        return value;
    }
}
