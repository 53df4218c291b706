package shop.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import shop.platform.db.Database;

/**
 * SessionStateAudit stands in for RDS Proxy's eyes on the local MariaDB: while it runs, the server's
 * general log records every command of one database user, and {@link #stop()} lists each one that
 * would pin a client session to its database connection behind RDS Proxy (AWS, "Avoiding pinning an
 * RDS Proxy": server-side prepared statements, SET of a session or user variable, user variables,
 * table and named locks, temporary tables, FOUND_ROWS, statements over 16 KB). It also plays the
 * proxy's initialization query ({@link Database#PROXY_INIT_QUERY}) as the server's defaults, so the
 * functions run with the settings they left to the proxy. Server settings are restored at the end.
 */
public final class SessionStateAudit implements AutoCloseable {
    private static final Set<String> PREPARED_COMMANDS = Set.of("Prepare", "Execute", "Close stmt", "Reset stmt",
            "Long Data", "Fetch");
    /** SET autocommit is tracked by the proxy (it is how transactions start), so it does not pin. */
    private static final Pattern AUTOCOMMIT = Pattern.compile("^set\\s+(session\\s+|@@session\\.|local\\s+)?autocommit\\s*=\\s*[01]$");
    private static final List<Pattern> PINNING = List.of(
            Pattern.compile("^set\\s"),
            Pattern.compile("@[a-z_][a-z0-9_$]*\\s*:="),
            Pattern.compile("\\bget_lock\\s*\\("),
            Pattern.compile("^lock\\s+tables?\\b"),
            Pattern.compile("^flush\\s+tables\\s+with\\s+read\\s+lock"),
            Pattern.compile("^create\\s+temporary\\s+table"),
            Pattern.compile("\\bsql_calc_found_rows\\b|\\bfound_rows\\s*\\("),
            Pattern.compile("^prepare\\s|^execute\\s|^deallocate\\s"),
            Pattern.compile("^declare\\s"));
    private static final int MAX_UNPINNED_TEXT = 16 * 1024;

    private final TestStack test;
    private final String user;
    private final String[] saved;

    private SessionStateAudit(TestStack test, String user, String[] saved) {
        this.test = test;
        this.user = user;
        this.saved = saved;
    }

    /** Findings are what the audit saw of the user: how many commands, which would pin, how many were batches. */
    public record Findings(int commands, List<String> pinning, int multiStatement) {
    }

    /** start plays the proxy's init query as server defaults and logs every command from now on. */
    public static SessionStateAudit start(TestStack test, String user) throws SQLException {
        String[] saved = new String[6];
        try (Connection c = test.admin().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL.optimizer_switch, @@GLOBAL.innodb_lock_wait_timeout,"
                    + " @@GLOBAL.transaction_isolation, @@GLOBAL.general_log, @@GLOBAL.log_output, @@GLOBAL.time_zone")) {
                rs.next();
                for (int i = 0; i < saved.length; i++) {
                    saved[i] = rs.getString(i + 1);
                }
            }
            s.execute(Database.PROXY_INIT_QUERY.replace("SESSION ", "GLOBAL "));
            s.execute("SET GLOBAL log_output = 'TABLE'");
            s.execute("TRUNCATE TABLE mysql.general_log");
            s.execute("SET GLOBAL general_log = 1");
        }
        return new SessionStateAudit(test, user, saved);
    }

    /** stop turns the log off, restores the server's settings and judges every command of the user. */
    public Findings stop() throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = test.admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL general_log = 0");
            try (PreparedStatement p = c.prepareStatement("SELECT thread_id, command_type,"
                    + " CONVERT(argument USING utf8mb4) FROM mysql.general_log WHERE thread_id IN"
                    + " (SELECT thread_id FROM mysql.general_log WHERE user_host LIKE ?) ORDER BY event_time")) {
                p.setString(1, user + "[%");
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            restore(s);
        }
        List<String> pinning = new ArrayList<>();
        int batches = 0;
        for (String[] row : rows) {
            String command = row[1];
            String text = row[2] == null ? "" : row[2];
            if (PREPARED_COMMANDS.contains(command)) {
                pinning.add("server-side prepared statement (" + command + "): " + abbreviate(text));
            } else if ("Query".equals(command)) {
                List<String> statements = statements(text);
                if (statements.size() > 1) {
                    batches++;
                }
                if (text.length() > MAX_UNPINNED_TEXT) {
                    pinning.add("statement text over 16 KB: " + abbreviate(text));
                }
                for (String statement : statements) {
                    pinningReason(statement).ifPresent(why -> pinning.add(why + ": " + abbreviate(statement)));
                }
            }
        }
        return new Findings(rows.size(), pinning, batches);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = test.admin().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL general_log = 0");
            restore(s);
        }
    }

    private void restore(Statement s) throws SQLException {
        s.execute("SET GLOBAL optimizer_switch = '" + saved[0] + "', GLOBAL innodb_lock_wait_timeout = " + saved[1]
                + ", GLOBAL transaction_isolation = '" + saved[2] + "', GLOBAL log_output = '" + saved[4]
                + "', GLOBAL time_zone = '" + saved[5] + "'");
        s.execute("SET GLOBAL general_log = " + ("1".equals(saved[3]) ? 1 : 0));
    }

    /** pinningReason says why a statement would pin a session behind RDS Proxy, if it would. */
    public static java.util.Optional<String> pinningReason(String statement) {
        String s = statement.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        // Comments Connector/J or a migration may put first.
        s = s.replaceAll("^/\\*.*?\\*/\\s*", "");
        if (AUTOCOMMIT.matcher(s).matches()) {
            return java.util.Optional.empty();
        }
        for (Pattern p : PINNING) {
            if (p.matcher(s).find()) {
                return java.util.Optional.of("pins (" + p.pattern() + ")");
            }
        }
        return java.util.Optional.empty();
    }

    /** statements splits a multi-statement text at semicolons outside quotes. */
    static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quote != 0) {
                if (ch == '\\' && i + 1 < text.length()) {
                    current.append(ch).append(text.charAt(++i));
                    continue;
                }
                if (ch == quote) {
                    quote = 0;
                }
            } else if (ch == '\'' || ch == '"' || ch == '`') {
                quote = ch;
            } else if (ch == ';') {
                if (!current.toString().isBlank()) {
                    out.add(current.toString().strip());
                }
                current.setLength(0);
                continue;
            }
            current.append(ch);
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }

}
