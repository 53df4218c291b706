package shop.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import shop.platform.error.InvalidInputException;

/** JdbcCategoryBrandRepository is the {@link CategoryBrandRepository} on MySQL/MariaDB. */
final class JdbcCategoryBrandRepository implements CategoryBrandRepository {
    private static final String SELECT = """
            SELECT l.id, c.id AS category_id, c.name AS category_name, b.id AS brand_id, b.name AS brand_name, b.logo
            FROM goods_category_brand l
            JOIN category c ON c.id = l.category_id
            JOIN brand b ON b.id = l.brand_id
            """;
    private final Jdbc jdbc;

    JdbcCategoryBrandRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<CategoryBrand> page(int offset, int limit) {
        // Page the link ids on the primary key first, then join the names of that page only.
        return jdbc.query(SELECT + """
                JOIN (SELECT id FROM goods_category_brand ORDER BY id LIMIT ? OFFSET ?) p ON p.id = l.id
                ORDER BY l.id
                """, JdbcCategoryBrandRepository::map, limit, offset);
    }

    @Override
    public long count() {
        return jdbc.queryLong("SELECT COUNT(*) FROM goods_category_brand");
    }

    @Override
    public Optional<CategoryBrand> find(long id) {
        return jdbc.queryOne(SELECT + "WHERE l.id = ?", JdbcCategoryBrandRepository::map, id);
    }

    @Override
    public boolean pairTaken(long categoryId, long brandId, long exceptId) {
        return jdbc.queryLong("SELECT COUNT(*) FROM goods_category_brand WHERE category_id = ? AND brand_id = ? AND id <> ?",
                categoryId, brandId, exceptId) > 0;
    }

    @Override
    public long insert(long categoryId, long brandId) {
        try {
            return jdbc.insert("INSERT INTO goods_category_brand (category_id, brand_id) VALUES (?, ?)", categoryId, brandId);
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, categoryId, brandId);
        }
    }

    @Override
    public boolean update(long id, long categoryId, long brandId) {
        try {
            return jdbc.update("UPDATE goods_category_brand SET category_id = ?, brand_id = ? WHERE id = ?",
                    categoryId, brandId, id) > 0;
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, categoryId, brandId);
        }
    }

    @Override
    public boolean delete(long id) {
        return jdbc.update("DELETE FROM goods_category_brand WHERE id = ?", id) > 0;
    }

    static RuntimeException translate(Jdbc.DataAccessException e, long categoryId, long brandId) {
        if (e.errorCode() == Jdbc.DUPLICATE_KEY) {
            return CatalogProblems.duplicateLink(categoryId, brandId);
        }
        if (e.errorCode() == Jdbc.NO_REFERENCED_ROW) {
            return e.mentions("fk_gcb_brand") ? new InvalidInputException("brandId", "no brand with id " + brandId)
                    : new InvalidInputException("categoryId", "no category with id " + categoryId);
        }
        return e;
    }

    private static CategoryBrand map(ResultSet rs) throws SQLException {
        return new CategoryBrand(rs.getLong("id"), new Ref(rs.getLong("category_id"), rs.getString("category_name")),
                new Brand(rs.getLong("brand_id"), rs.getString("brand_name"), rs.getString("logo")));
    }
}
