package shop.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import shop.platform.error.ConflictException;

/** JdbcCategoryRepository is the {@link CategoryRepository} on MySQL/MariaDB. */
final class JdbcCategoryRepository implements CategoryRepository {
    private final Jdbc jdbc;

    JdbcCategoryRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Category> findAll() {
        return jdbc.query("SELECT id, name, parent_id, level, is_tab FROM category ORDER BY id",
                JdbcCategoryRepository::map);
    }

    @Override
    public List<Long> subtreeIds(long id) {
        // Three levels at most: the category, its children and its grandchildren, each by index.
        return jdbc.query("""
                SELECT id FROM category WHERE id = ?
                UNION ALL
                SELECT id FROM category WHERE parent_id = ?
                UNION ALL
                SELECT c.id FROM category c JOIN category p ON c.parent_id = p.id WHERE p.parent_id = ?
                """, rs -> rs.getLong(1), id, id, id);
    }

    @Override
    public Optional<Integer> level(long id) {
        return jdbc.queryOne("SELECT level FROM category WHERE id = ?", rs -> rs.getInt(1), id);
    }

    @Override
    public List<Long> tabIds() {
        return jdbc.query("SELECT id FROM category WHERE is_tab = TRUE", rs -> rs.getLong(1));
    }

    @Override
    public long insert(String name, Long parentId, int level, boolean isTab) {
        try {
            return jdbc.insert("INSERT INTO category (name, parent_id, level, is_tab) VALUES (?, ?, ?, ?)",
                    name, parentId, level, isTab);
        } catch (Jdbc.DataAccessException e) {
            if (e.errorCode() == Jdbc.NO_REFERENCED_ROW) {
                throw new shop.platform.error.InvalidInputException("parentId", "no category with id " + parentId);
            }
            throw e;
        }
    }

    @Override
    public void update(long id, String name, Long parentId, boolean isTab, Map<Long, Integer> levels) {
        jdbc.inTransaction(() -> {
            List<Long> parents = jdbc.query("SELECT parent_id FROM category WHERE id = ? FOR UPDATE",
                    rs -> Jdbc.nullableLong(rs, "parent_id"), id);
            Long oldParent = parents.isEmpty() ? null : parents.getFirst();
            jdbc.update("UPDATE category SET name = ?, parent_id = ?, is_tab = ? WHERE id = ?", name, parentId, isTab, id);
            levels.forEach((categoryId, level) ->
                    jdbc.update("UPDATE category SET level = ? WHERE id = ?", level, categoryId));
            if (!Objects.equals(oldParent, parentId) && !levels.isEmpty()) {
                // The subtree moved: its goods (soft-deleted ones too) get their new category path.
                List<Long> subtree = List.copyOf(levels.keySet());
                jdbc.update(JdbcGoodsRepository.REPATH + " WHERE g.category_id IN (" + Jdbc.placeholders(subtree.size()) + ")",
                        subtree.toArray());
            }
            return null;
        });
    }

    @Override
    public Usage usage(long id) {
        return jdbc.queryOne("""
                SELECT (SELECT COUNT(*) FROM category WHERE parent_id = ?),
                       (SELECT COUNT(*) FROM goods WHERE category_id = ?),
                       (SELECT COUNT(*) FROM goods_category_brand WHERE category_id = ?)
                """, rs -> new Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3)), id, id, id).orElseThrow();
    }

    @Override
    public boolean delete(long id) {
        try {
            return jdbc.update("DELETE FROM category WHERE id = ?", id) > 0;
        } catch (Jdbc.DataAccessException e) {
            if (e.errorCode() == Jdbc.ROW_IS_REFERENCED) {
                throw new ConflictException("in-use", "Category in use",
                        "Category " + id + " gained children, goods or brand links meanwhile.", Map.of());
            }
            throw e;
        }
    }

    private static Category map(ResultSet rs) throws SQLException {
        return new Category(rs.getLong("id"), rs.getString("name"), Jdbc.nullableLong(rs, "parent_id"),
                rs.getInt("level"), rs.getBoolean("is_tab"));
    }
}
