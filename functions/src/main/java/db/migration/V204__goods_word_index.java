package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import shop.catalog.GoodsWordIndex;

/**
 * V204 replaces the FULLTEXT keyword search with a word index of goods names that the catalog keeps
 * itself (see {@link GoodsWordIndex} and docs/catalog.md, "Keyword search"): a Java migration, since
 * the backfill cuts the existing names with the same code as every later write. Runs on MySQL 8 and
 * MariaDB.
 *
 * <p>{@code goods_word} has one row per word of a live goods' name (the primary key reads one word's
 * goods in id order; {@code idx_goods_word_goods} checks whether a goods has a word or a word with
 * a prefix); {@code goods_word_stat} counts each word's goods, so that a search starts from its
 * rarest word and can estimate its total. Words are compared byte for byte ({@code utf8mb4_bin}):
 * they are normalised before they are stored or searched. The FULLTEXT index and the name index
 * served only the old keyword search and go.
 */
public class V204__goods_word_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("""
                    CREATE TABLE goods_word (
                        word     VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
                        goods_id BIGINT NOT NULL,
                        PRIMARY KEY (word, goods_id),
                        KEY idx_goods_word_goods (goods_id, word)
                    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin""");
            s.execute("""
                    CREATE TABLE goods_word_stat (
                        word VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
                        n    INT NOT NULL,
                        PRIMARY KEY (word)
                    ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin""");
            s.execute("DROP INDEX ft_goods_name ON goods");
            s.execute("DROP INDEX idx_goods_name ON goods");
        }
        GoodsWordIndex.indexMissing(context.getConnection());
    }
}
