package shop.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import shop.platform.error.ConflictException;

/** JdbcBrandRepository is the {@link BrandRepository} on MySQL/MariaDB. */
final class JdbcBrandRepository implements BrandRepository {
    private final Jdbc jdbc;

    JdbcBrandRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Brand> page(int offset, int limit) {
        return jdbc.query("SELECT id, name, logo FROM brand ORDER BY id LIMIT ? OFFSET ?", JdbcBrandRepository::map,
                limit, offset);
    }

    @Override
    public long count() {
        return jdbc.queryLong("SELECT COUNT(*) FROM brand");
    }

    @Override
    public Optional<Brand> find(long id) {
        return jdbc.queryOne("SELECT id, name, logo FROM brand WHERE id = ?", JdbcBrandRepository::map, id);
    }

    @Override
    public boolean nameTaken(String name, long exceptId) {
        return jdbc.queryLong("SELECT COUNT(*) FROM brand WHERE name = ? AND id <> ?", name, exceptId) > 0;
    }

    @Override
    public long insert(String name, String logo) {
        try {
            return jdbc.insert("INSERT INTO brand (name, logo) VALUES (?, ?)", name, logo);
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, name);
        }
    }

    @Override
    public boolean update(long id, String name, String logo) {
        try {
            // Connector/J reports found rows (useAffectedRows=false), so an unchanged row still counts.
            return jdbc.update("UPDATE brand SET name = ?, logo = ? WHERE id = ?", name, logo, id) > 0;
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, name);
        }
    }

    @Override
    public Usage usage(long id) {
        return jdbc.queryOne("""
                SELECT (SELECT COUNT(*) FROM goods WHERE brand_id = ?),
                       (SELECT COUNT(*) FROM goods_category_brand WHERE brand_id = ?)
                """, rs -> new Usage(rs.getLong(1), rs.getLong(2)), id, id).orElseThrow();
    }

    @Override
    public boolean delete(long id) {
        try {
            return jdbc.update("DELETE FROM brand WHERE id = ?", id) > 0;
        } catch (Jdbc.DataAccessException e) {
            if (e.errorCode() == Jdbc.ROW_IS_REFERENCED) {
                throw new ConflictException("in-use", "Brand in use",
                        "Brand " + id + " gained goods or category links meanwhile.", Map.of());
            }
            throw e;
        }
    }

    @Override
    public List<Brand> forCategory(long categoryId) {
        return jdbc.query("""
                SELECT b.id, b.name, b.logo
                FROM goods_category_brand l JOIN brand b ON b.id = l.brand_id
                WHERE l.category_id = ?
                ORDER BY b.name, b.id
                """, JdbcBrandRepository::map, categoryId);
    }

    static RuntimeException translate(Jdbc.DataAccessException e, String name) {
        if (e.errorCode() == Jdbc.DUPLICATE_KEY) {
            return CatalogProblems.duplicateBrand(name);
        }
        return e;
    }

    static Brand map(ResultSet rs) throws SQLException {
        return new Brand(rs.getLong("id"), rs.getString("name"), rs.getString("logo"));
    }
}
