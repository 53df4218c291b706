package shop.platform.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * LoginDataSource opens the physical connections of a pool, taking the credentials of each from its
 * {@link DbLogin} at that moment. When the database refuses them (MySQL error 1045, a rotated
 * password), it asks the login for newer ones once, connects with those, and tells the pool to retire
 * the connections opened with the old ones: the request that noticed the rotation gets its
 * connection and never sees the refusal. A TLS handshake it refuses is reported, and logged once a
 * minute at most, as the setting to fix ({@link TlsRefusal}), not as a "communications link failure".
 */
final class LoginDataSource implements DataSource, SnapshotSensitive {
    /** ER_ACCESS_DENIED_ERROR: wrong user or password (also what RDS Proxy answers for a stale secret). */
    static final int ER_ACCESS_DENIED = 1045;
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LoginDataSource.class);

    private final String name;
    private final String url;
    private final Properties options;
    private final DbLogin login;
    private final Optional<TrustBundle> trust;
    private volatile Runnable onNewCredentials = () -> { };
    private volatile int loginTimeoutSeconds;
    private volatile String lastTlsRefusal = "";
    private volatile long lastTlsRefusalLogged;

    LoginDataSource(String name, String url, Properties options, DbLogin login, Optional<TrustBundle> trust) {
        this.name = name;
        this.url = Objects.requireNonNull(url, "url");
        this.options = options;
        this.login = Objects.requireNonNull(login, "login");
        this.trust = trust;
    }

    /** onNewCredentials runs after a rotation was noticed and newer credentials worked. */
    void onNewCredentials(Runnable action) {
        this.onNewCredentials = Objects.requireNonNull(action, "action");
    }

    /** login is where the credentials come from. */
    DbLogin login() {
        return login;
    }

    @Override
    public Connection getConnection() throws SQLException {
        DbLogin.Credentials credentials = login.current();
        try {
            return connect(credentials);
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_ACCESS_DENIED) {
                throw e;
            }
            Optional<DbLogin.Credentials> newer = login.refresh(credentials);
            if (newer.isEmpty()) {
                throw e;
            }
            Connection c = connect(newer.get());
            LOG.info("{}: the database refused {} (a rotated secret); connected with the secret read again, "
                    + "retiring connections opened with the old one", name, credentials);
            onNewCredentials.run();
            return c;
        }
    }

    private Connection connect(DbLogin.Credentials credentials) throws SQLException {
        Properties p = new Properties();
        p.putAll(options);
        trust.ifPresent(t -> p.putAll(t.properties()));
        p.setProperty("user", credentials.user());
        p.setProperty("password", credentials.password());
        Driver driver = DriverManager.getDriver(url);
        Connection c;
        try {
            c = driver.connect(url, p);
        } catch (SQLException e) {
            Optional<SQLNonTransientConnectionException> tls = TlsRefusal.explain(e, url, trust);
            if (tls.isEmpty()) {
                throw e;
            }
            logTlsRefusal(tls.get());
            throw tls.get();
        }
        if (c == null) {
            throw new SQLException("no JDBC driver accepts " + url);
        }
        return c;
    }

    /**
     * logTlsRefusal logs a refused handshake at ERROR: the pool retries every few hundred ms and its own
     * log of the failure is at DEBUG, so this is where an operator sees it; once a minute per message.
     */
    private void logTlsRefusal(SQLNonTransientConnectionException e) {
        long now = System.nanoTime();
        if (!e.getMessage().equals(lastTlsRefusal) || now - lastTlsRefusalLogged > 60_000_000_000L) {
            lastTlsRefusal = e.getMessage();
            lastTlsRefusalLogged = now;
            LOG.error("{}: {}", name, e.getMessage());
        }
    }

    /** Before a snapshot: forget the credentials read from Secrets Manager. */
    @Override
    public void beforeSnapshot() {
        login.beforeSnapshot();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials come from the pool's DbLogin");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Logging goes through SLF4J.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging here");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
