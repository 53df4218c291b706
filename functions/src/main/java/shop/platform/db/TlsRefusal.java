package shop.platform.db;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * TlsRefusal turns a TLS handshake that the driver refused into an error an operator can act on.
 * Connector/J reports every one as "Communications link failure", which reads like a network fault;
 * the cause deep in its chain says what is wrong with the certificate, and this says which setting
 * decides it: DB_CA_BUNDLE for a certificate that chains to no trusted CA, the host of DB_URL for a
 * certificate that does not name it ({@code sslMode=VERIFY_IDENTITY}).
 */
final class TlsRefusal {
    private static final Pattern HOST = Pattern.compile("^jdbc:[a-z]+://([^/?]+)");

    private TlsRefusal() {
    }

    /**
     * explain returns the refusal as a connection error naming the setting to fix, with the driver's
     * exception as its cause; empty when {@code e} is no TLS failure.
     */
    static Optional<SQLNonTransientConnectionException> explain(SQLException e, String url, Optional<TrustBundle> trust) {
        if (find(e, SSLException.class).isEmpty() && find(e, CertificateException.class).isEmpty()) {
            return Optional.empty();
        }
        Matcher m = HOST.matcher(url);
        String host = m.find() ? m.group(1) : url;
        String hostName = host.replaceFirst(":\\d+$", "");
        String reason = rootCause(e).getMessage();
        String lower = String.valueOf(reason).toLowerCase(Locale.ROOT);
        String advice;
        if (lower.contains("identity") || lower.contains("hostname") || lower.contains("subject alternative name")) {
            advice = "its certificate does not name '" + hostName + "', the host of DB_URL, which "
                    + "sslMode=VERIFY_IDENTITY requires: put the endpoint name the certificate was issued for in DB_URL "
                    + "(the RDS instance, cluster or proxy endpoint), not an IP address or another name for it";
        } else if (find(e, CertPathValidatorException.class).isPresent() || lower.contains("pkix")
                || lower.contains("certification path") || lower.contains("trust anchor")) {
            advice = trust.map(t -> "its certificate chains to none of the " + t.certificates().size()
                            + " CAs in DB_CA_BUNDLE (" + t.pem() + "): direct to RDS that must be the RDS CA bundle, "
                            + "current for the region (RdsCaBundleLayer, /opt/rds-ca/global-bundle.pem); behind RDS Proxy, "
                            + "leave DB_CA_BUNDLE empty")
                    .orElse("its certificate chains to no CA the JVM trusts and DB_CA_BUNDLE is empty: "
                            + "direct to RDS, set DB_CA_BUNDLE to the RDS CA bundle (RdsCaBundleLayer, "
                            + "/opt/rds-ca/global-bundle.pem)");
        } else {
            advice = "the TLS handshake failed";
        }
        return Optional.of(new SQLNonTransientConnectionException("TLS to the database at " + host + " refused: "
                + advice + " (docs/database.md, TLS). Cause: " + reason, "08001", e));
    }

    private static <T extends Throwable> Optional<T> find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return Optional.of(type.cast(c));
            }
        }
        return Optional.empty();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
