package shop.platform.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import shop.platform.config.ConfigException;

/**
 * TrustBundle turns a PEM file of CA certificates (the RDS CA bundle: one root and intermediate per
 * region) into the PKCS#12 trust store Connector/J reads for {@code sslMode=VERIFY_IDENTITY}, which
 * takes a key store URL, not PEM. The store is written under the temporary directory, named by the
 * certificates it holds, and written again if it is gone (a restored snapshot need not carry
 * {@code /tmp}); it holds public certificates only.
 */
final class TrustBundle {
    private static final String PASSWORD = "public-certificates-only";

    private final Path pem;
    private final List<X509Certificate> certificates;
    private final Path store;

    private TrustBundle(Path pem, List<X509Certificate> certificates, Path store) {
        this.pem = pem;
        this.certificates = certificates;
        this.store = store;
    }

    /** load reads every certificate of a PEM file, failing with a message naming DB_CA_BUNDLE. */
    static TrustBundle load(String pemPath) {
        Path pem = Path.of(pemPath);
        List<X509Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            certs = read.stream().map(c -> (X509Certificate) c).toList();
        } catch (IOException e) {
            throw new ConfigException("DB_CA_BUNDLE", "cannot read '" + pemPath + "' (" + e.getMessage()
                    + "); deployed, it comes from the RdsCaBundleLayer, see docs/database.md");
        } catch (GeneralSecurityException e) {
            throw new ConfigException("DB_CA_BUNDLE", "'" + pemPath + "' is not a PEM file of certificates: "
                    + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new ConfigException("DB_CA_BUNDLE", "'" + pemPath + "' holds no certificate");
        }
        // Named by the certificates, not the file: a store written for another content of the same path
        // (a bundle updated in place, a test CA made again) must not be taken for this one.
        Path store = Path.of(System.getProperty("java.io.tmpdir"), "shop-db-trust-" + fingerprint(certs) + ".p12");
        return new TrustBundle(pem, certs, store);
    }

    private static String fingerprint(List<X509Certificate> certs) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : certs) {
                sha256.update(c.getEncoded());
            }
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 or a certificate that cannot be encoded", e);
        }
    }

    /** pem is the PEM file the CAs were read from (DB_CA_BUNDLE). */
    Path pem() {
        return pem;
    }

    /** certificates are the CAs trusted. */
    List<X509Certificate> certificates() {
        return certificates;
    }

    /** properties are Connector/J's trust store options, with the store written if it is missing. */
    Properties properties() {
        ensureWritten();
        Properties p = new Properties();
        p.setProperty("trustCertificateKeyStoreUrl", store.toUri().toString());
        p.setProperty("trustCertificateKeyStoreType", "PKCS12");
        p.setProperty("trustCertificateKeyStorePassword", PASSWORD);
        p.setProperty("fallbackToSystemTrustStore", "false");
        return p;
    }

    /** ensureWritten writes the trust store unless it is there (cheap: one stat per new connection). */
    void ensureWritten() {
        if (Files.isRegularFile(store)) {
            return;
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                ks.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            Path tmp = Files.createTempFile(store.getParent(), "shop-db-trust", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, PASSWORD.toCharArray());
            }
            Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the trust store of " + pem + " to " + store, e);
        }
    }
}
