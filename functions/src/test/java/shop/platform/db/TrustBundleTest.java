package shop.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.stack.ProjectRoot;

/** TrustBundle's PKCS#12 store always holds what the PEM file holds now. */
class TrustBundleTest {
    private static final Path RDS_BUNDLE = ProjectRoot.find().resolve("layers/rds-ca-bundle/rds-ca/global-bundle.pem");

    @Test
    void aPemChangedInPlace_getsAStoreOfItsNewCertificates_notTheOldOnesLeftInTmp(@TempDir Path dir) throws Exception {
        List<X509Certificate> rds = TrustBundle.load(RDS_BUNDLE.toString()).certificates();
        Path pem = dir.resolve("bundle.pem");

        Files.writeString(pem, pem(rds.get(0)));
        Properties first = TrustBundle.load(pem.toString()).properties();
        assertEquals(List.of(rds.get(0)), trusted(first));

        // Same path, other CA (a bundle updated in place, a test CA made again): a store left by the
        // first must not be taken for it.
        Files.writeString(pem, pem(rds.get(1)));
        Properties second = TrustBundle.load(pem.toString()).properties();
        assertNotEquals(first.getProperty("trustCertificateKeyStoreUrl"), second.getProperty("trustCertificateKeyStoreUrl"));
        assertEquals(List.of(rds.get(1)), trusted(second));
    }

    private static List<Certificate> trusted(Properties connectorJ) throws Exception {
        KeyStore ks = KeyStore.getInstance(connectorJ.getProperty("trustCertificateKeyStoreType"));
        try (InputStream in = Files.newInputStream(Path.of(URI.create(connectorJ.getProperty("trustCertificateKeyStoreUrl"))))) {
            ks.load(in, connectorJ.getProperty("trustCertificateKeyStorePassword").toCharArray());
        }
        List<Certificate> certs = new ArrayList<>();
        for (String alias : Collections.list(ks.aliases())) {
            certs.add(ks.getCertificate(alias));
        }
        return certs;
    }

    private static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
