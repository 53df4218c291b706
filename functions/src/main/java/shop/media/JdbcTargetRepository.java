package shop.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import shop.platform.db.Bounded;
import shop.platform.error.DependencyUnavailableException;
import shop.platform.json.Json;

/**
 * JdbcTargetRepository writes image URLs into the catalog's tables (V1: {@code goods},
 * {@code banner}, {@code brand}). It owns no table; it only touches the image columns.
 *
 * <p>Each write is one transaction that first locks the target row with {@code SELECT ... FOR
 * UPDATE} (a missing or soft-deleted row means the target is gone and nothing is written), then
 * updates it only if the URL is not there yet: a scalar column is compared, and a JSON list is
 * appended to under {@code NOT JSON_CONTAINS(list, JSON_QUOTE(url))}, so a repeated event never adds
 * a second entry. The SQL runs on MySQL 8 and MariaDB. Every {@link SQLException} is reported as a
 * {@link DependencyUnavailableException}: the caller retries the whole invocation.
 */
public final class JdbcTargetRepository implements TargetRepository {
    private final DataSource dataSource;

    /** Creates the repository over a pool. */
    public JdbcTargetRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public boolean exists(UploadTarget target, long targetId) {
        String sql = switch (target) {
            case GOODS -> "SELECT 1 FROM goods WHERE id = ? AND deleted_at IS NULL";
            case BANNER -> "SELECT 1 FROM banner WHERE id = ?";
            case BRAND -> "SELECT 1 FROM brand WHERE id = ?";
        };
        try (Connection c = Bounded.connection(dataSource); PreparedStatement ps = c.prepareStatement(Bounded.read(sql))) {
            ps.setLong(1, targetId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Change attach(UploadTarget target, long targetId, String slot, String url) {
        return inTransaction(c -> {
            Column column = column(target, slot);
            String current = lockAndRead(c, target, targetId, column);
            if (current == null) {
                return Change.GONE;
            }
            if (!column.list()) {
                if (url.equals(current)) {
                    return Change.UNCHANGED;
                }
                return update(c, "UPDATE " + column.table() + " SET " + column.name() + " = ? WHERE id = ?", url, targetId);
            }
            ArrayNode list = jsonList(current, targetId, column);
            boolean present = false;
            for (var n : list) {
                present |= url.equals(n.asText());
            }
            if (present) {
                return Change.UNCHANGED;
            }
            if (list.size() >= MAX_LIST_IMAGES) {
                return Change.FULL;
            }
            // The row is locked, so the check above holds; the guard in SQL keeps the statement safe on its own.
            String sql = "UPDATE goods SET " + column.name() + " = JSON_ARRAY_APPEND(" + column.name() + ", '$', ?)"
                    + " WHERE id = ? AND NOT JSON_CONTAINS(" + column.name() + ", JSON_QUOTE(?))";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, url);
                ps.setLong(2, targetId);
                ps.setString(3, url);
                return ps.executeUpdate() == 1 ? Change.CHANGED : Change.UNCHANGED;
            }
        });
    }

    @Override
    public Change detach(UploadTarget target, long targetId, String slot, String url) {
        return inTransaction(c -> {
            Column column = column(target, slot);
            String current = lockAndRead(c, target, targetId, column);
            if (current == null) {
                return Change.GONE;
            }
            if (!column.list()) {
                if (!url.equals(current)) {
                    return Change.UNCHANGED;
                }
                return update(c, "UPDATE " + column.table() + " SET " + column.name() + " = ? WHERE id = ?", "", targetId);
            }
            ArrayNode list = jsonList(current, targetId, column);
            ArrayNode kept = Json.MAPPER.createArrayNode();
            list.forEach(n -> {
                if (!url.equals(n.asText())) {
                    kept.add(n);
                }
            });
            if (kept.size() == list.size()) {
                return Change.UNCHANGED;
            }
            return update(c, "UPDATE goods SET " + column.name() + " = ? WHERE id = ?", Json.write(kept), targetId);
        });
    }

    private static ArrayNode jsonList(String json, long targetId, Column column) {
        try {
            if (Json.MAPPER.readTree(json.isBlank() ? "[]" : json) instanceof ArrayNode list) {
                return list;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new IllegalStateException("goods " + targetId + " has a " + column.name() + " that is no JSON list");
    }

    /** Column is where a slot's URL lives; list columns hold a JSON array of URLs. */
    private record Column(String table, String name, boolean list) {
    }

    private static Column column(UploadTarget target, String slot) {
        return switch (target) {
            case GOODS -> switch (slot) {
                case "front" -> new Column("goods", "goods_front_image", false);
                case "gallery" -> new Column("goods", "images", true);
                case "desc" -> new Column("goods", "desc_images", true);
                default -> throw new IllegalArgumentException("goods have no slot " + slot);
            };
            case BANNER -> new Column("banner", "image", false);
            case BRAND -> new Column("brand", "logo", false);
        };
    }

    /** lockAndRead locks the target row and returns the column's value; null when the target is gone. */
    private static String lockAndRead(Connection c, UploadTarget target, long targetId, Column column)
            throws SQLException {
        String live = target == UploadTarget.GOODS ? " AND deleted_at IS NULL" : "";
        String sql = "SELECT " + column.name() + " FROM " + column.table() + " WHERE id = ?" + live + " FOR UPDATE";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, targetId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String value = rs.getString(1);
                return value == null ? "" : value;
            }
        }
    }

    private static Change update(Connection c, String sql, String value, long targetId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            ps.setLong(2, targetId);
            return ps.executeUpdate() == 1 ? Change.CHANGED : Change.UNCHANGED;
        }
    }

    private interface Work {
        Change run(Connection c) throws SQLException;
    }

    private Change inTransaction(Work work) {
        try (Connection c = Bounded.connection(dataSource)) {
            c.setAutoCommit(false);
            try {
                Change change = work.run(c);
                c.commit();
                return change;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    private static DependencyUnavailableException unavailable(SQLException e) {
        return new DependencyUnavailableException("the database", e);
    }
}
