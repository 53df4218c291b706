package shop.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import shop.platform.error.InvalidInputException;

/**
 * JdbcBannerRepository is the {@link BannerRepository} on MySQL/MariaDB. A banner keeps the id of
 * a goods that is deleted later, but reads show {@code goodsId} null for it, as deleted goods never
 * appear anywhere.
 */
final class JdbcBannerRepository implements BannerRepository {
    private static final String SELECT = """
            SELECT b.id, b.image, b.url, g.id AS goods_id, b.sort_index
            FROM banner b
            LEFT JOIN goods g ON g.id = b.goods_id AND g.deleted_at IS NULL
            """;
    private final Jdbc jdbc;

    JdbcBannerRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Banner> all() {
        return jdbc.query(SELECT + "ORDER BY b.sort_index, b.id", JdbcBannerRepository::map);
    }

    @Override
    public Optional<Banner> find(long id) {
        return jdbc.queryOne(SELECT + "WHERE b.id = ?", JdbcBannerRepository::map, id);
    }

    @Override
    public long insert(String image, String url, Long goodsId, int index) {
        try {
            return jdbc.insert("INSERT INTO banner (image, url, goods_id, sort_index) VALUES (?, ?, ?, ?)",
                    image, url, goodsId, index);
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, goodsId);
        }
    }

    @Override
    public boolean update(long id, String image, String url, Long goodsId, int index) {
        try {
            return jdbc.update("UPDATE banner SET image = ?, url = ?, goods_id = ?, sort_index = ? WHERE id = ?",
                    image, url, goodsId, index, id) > 0;
        } catch (Jdbc.DataAccessException e) {
            throw translate(e, goodsId);
        }
    }

    @Override
    public boolean delete(long id) {
        return jdbc.update("DELETE FROM banner WHERE id = ?", id) > 0;
    }

    private static RuntimeException translate(Jdbc.DataAccessException e, Long goodsId) {
        if (e.errorCode() == Jdbc.NO_REFERENCED_ROW) {
            return new InvalidInputException("goodsId", "no goods with id " + goodsId);
        }
        return e;
    }

    private static Banner map(ResultSet rs) throws SQLException {
        return new Banner(rs.getLong("id"), rs.getString("image"), rs.getString("url"),
                Jdbc.nullableLong(rs, "goods_id"), rs.getInt("sort_index"));
    }
}
