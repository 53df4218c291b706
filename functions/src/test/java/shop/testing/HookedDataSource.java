package shop.testing;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * HookedDataSource wraps a pool so that a test can stop or kill an invocation at an exact point of
 * its database work: before a statement whose SQL matches, or right after a commit reached the
 * server. Fault injection from the test side (as HikariCP wraps the driver in its tests): the
 * shipped code has no switch for it.
 */
public final class HookedDataSource implements DataSource {
    /** Hook runs at its point on the invocation's thread; it may block, or throw to kill the invocation. */
    @FunctionalInterface
    public interface Hook {
        /** run is called with the SQL (or "COMMIT"). */
        void run(String sql);
    }

    private record Rule(Predicate<String> when, Hook hook) {
    }

    /** InvocationKilled stands for the runtime ending an invocation (a timeout): nothing after it runs. */
    public static final class InvocationKilled extends Error {
        private static final long serialVersionUID = 1L;

        /** Creates the kill, naming where it happened. */
        public InvocationKilled(String where) {
            super("invocation killed " + where);
        }
    }

    private final DataSource delegate;
    private final List<Rule> beforeSql = new CopyOnWriteArrayList<>();
    private final List<Hook> afterCommit = new CopyOnWriteArrayList<>();

    /** Wraps a pool. */
    public HookedDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** beforeSql runs the hook before preparing any statement whose SQL matches. */
    public HookedDataSource beforeSql(Predicate<String> when, Hook hook) {
        beforeSql.add(new Rule(when, hook));
        return this;
    }

    /** afterCommit runs the hook after each commit the server acknowledged. */
    public HookedDataSource afterCommit(Hook hook) {
        afterCommit.add(hook);
        return this;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(delegate.getConnection(username, password));
    }

    private Connection wrap(Connection real) {
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if ((name.equals("prepareStatement") || name.equals("prepareCall")) && args != null
                    && args[0] instanceof String sql) {
                for (Rule r : beforeSql) {
                    if (r.when().test(sql)) {
                        r.hook().run(sql);
                    }
                }
            }
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (name.equals("commit")) {
                afterCommit.forEach(h -> h.run("COMMIT"));
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    /**
     * unwrap does not hand out the pool behind: code that unwraps it (Bounded borrows straight from
     * Hikari) would take connections past the hooks.
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("HookedDataSource wraps no " + iface.getName() + " it would hand out");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
