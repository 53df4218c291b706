package shop.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TestCertificates makes a throw-away certificate authority and a server certificate signed by it,
 * with the JDK's keytool (always there where the tests run), and writes them as the PEM files a
 * server and a client's trust bundle take. Test side only: nothing here ships.
 *
 * @param ca          the CA's certificate (what DB_CA_BUNDLE would hold)
 * @param certificate the server's certificate, naming only {@code dnsName}
 * @param key         the server's private key (PKCS#8)
 */
public record TestCertificates(Path ca, Path certificate, Path key) {
    private static final String PASSWORD = "test-only";

    /** create writes ca.pem, server.pem and server-key.pem into {@code dir} for a server called {@code dnsName}. */
    public static TestCertificates create(Path dir, String dnsName) {
        Path store = dir.resolve("test-ca.p12");
        try {
            Files.deleteIfExists(store);
            keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=shop test CA " + System.nanoTime(), "-ext", "bc:c",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            // JDK 20+: -signer makes the CA sign the new key pair's certificate in the same call.
            keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=" + dnsName, "-ext", "san=dns:" + dnsName, "-ext", "eku=serverAuth",
                    "-signer", "ca", "-signerkeypass", PASSWORD,
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            TestCertificates files = new TestCertificates(dir.resolve("ca.pem"), dir.resolve("server.pem"),
                    dir.resolve("server-key.pem"));
            Files.writeString(files.ca(), pem("CERTIFICATE", ks.getCertificate("ca").getEncoded()));
            Certificate[] chain = ks.getCertificateChain("server");
            Files.writeString(files.certificate(), pem("CERTIFICATE", chain[0].getEncoded()));
            PrivateKey key = (PrivateKey) ks.getKey("server", PASSWORD.toCharArray());
            Files.writeString(files.key(), pem("PRIVATE KEY", key.getEncoded()));
            return files;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make test certificates in " + dir, e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool did not finish in 60 s: " + command);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed (" + p.exitValue() + "): " + output);
        }
    }
}
