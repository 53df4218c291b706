package shop.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GoodsWordIndex builds the writes that keep the word index of goods names (V204) in step with
 * goods: {@code goods_word (word, goods_id)} holds {@link Keywords#indexWords} of every live goods'
 * name, {@code goods_word_stat (word, n)} how many goods each word has. {@link JdbcGoodsRepository}
 * applies them in the transaction of each create, rename and soft delete (a deleted goods has no
 * entries). Anything that writes goods with plain SQL (bulk loads, fixtures, {@link SampleData})
 * must index them too: {@link #add} for goods it knows, or {@link #indexMissing} afterwards.
 *
 * <p>Writes lock stat rows in word order (the words are sorted), so two concurrent goods writes
 * never wait on each other's stat rows in opposite orders.
 */
public final class GoodsWordIndex {
    /** ROWS_PER_INSERT bounds one multi-row INSERT. */
    private static final int ROWS_PER_INSERT = 5_000;

    private GoodsWordIndex() {
    }

    /** Write is one statement and its parameters. */
    public record Write(String sql, List<Object> params) {
    }

    /** add returns the writes that index new goods (ids to names). */
    public static List<Write> add(Map<Long, String> namesById) {
        List<Object[]> rows = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        namesById.forEach((id, name) -> {
            for (String word : Keywords.indexWords(name)) {
                rows.add(new Object[] {word, id});
                counts.merge(word, 1, Integer::sum);
            }
        });
        rows.sort(java.util.Comparator.comparing((Object[] r) -> (String) r[0])); // in primary key order: fewer page splits
        List<Write> writes = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<Object[]> part = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            List<Object> params = new ArrayList<>(part.size() * 2);
            part.forEach(r -> params.addAll(List.of(r)));
            writes.add(new Write("INSERT INTO goods_word (word, goods_id) VALUES "
                    + String.join(", ", java.util.Collections.nCopies(part.size(), "(?, ?)")), params));
        }
        writes.addAll(count(counts));
        return writes;
    }

    /** change returns the writes that move one goods from its stored words to those of a new name (null: none, deleted). */
    static List<Write> change(long goodsId, Collection<String> stored, String newName) {
        Set<String> now = newName == null ? Set.of() : Keywords.indexWords(newName);
        Set<String> gone = new TreeSet<>(stored);
        gone.removeAll(now);
        Set<String> added = new TreeSet<>(now);
        added.removeAll(stored);
        List<Write> writes = new ArrayList<>();
        if (!gone.isEmpty()) {
            List<Object> params = new ArrayList<>(List.of(goodsId));
            params.addAll(gone);
            writes.add(new Write("DELETE FROM goods_word WHERE goods_id = ? AND word IN ("
                    + Jdbc.placeholders(gone.size()) + ")", params));
        }
        if (!added.isEmpty()) {
            List<Object> params = new ArrayList<>();
            for (String w : added) {
                params.add(w);
                params.add(goodsId);
            }
            writes.add(new Write("INSERT INTO goods_word (word, goods_id) VALUES "
                    + String.join(", ", java.util.Collections.nCopies(added.size(), "(?, ?)")), params));
        }
        // The counts of the words that go and of those that come move in ONE statement, in word order:
        // decrements first and increments after would lock stat rows out of order, and two renames
        // crossing the same two words (alpha to omega, omega to alpha) deadlocked (a test shows it).
        Map<String, Integer> delta = new TreeMap<>();
        gone.forEach(w -> delta.put(w, -1));
        added.forEach(w -> delta.put(w, 1));
        writes.addAll(count(delta));
        if (!gone.isEmpty()) {
            writes.add(new Write("DELETE FROM goods_word_stat WHERE n <= 0 AND word IN ("
                    + Jdbc.placeholders(gone.size()) + ")", List.copyOf(gone)));
        }
        return writes;
    }

    /** count adds to the stat rows of words, in word order. */
    private static List<Write> count(Map<String, Integer> counts) {
        List<Write> writes = new ArrayList<>();
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(new TreeMap<>(counts).entrySet());
        for (int from = 0; from < entries.size(); from += ROWS_PER_INSERT) {
            var part = entries.subList(from, Math.min(entries.size(), from + ROWS_PER_INSERT));
            List<Object> params = new ArrayList<>(part.size() * 2);
            part.forEach(e -> {
                params.add(e.getKey());
                params.add(e.getValue());
            });
            writes.add(new Write("INSERT INTO goods_word_stat (word, n) VALUES "
                    + String.join(", ", java.util.Collections.nCopies(part.size(), "(?, ?)"))
                    + " ON DUPLICATE KEY UPDATE n = n + VALUES(n)", params));
        }
        return writes;
    }

    /** apply runs writes on a connection (in its transaction, if any). */
    public static void apply(Connection c, List<Write> writes) throws SQLException {
        for (Write w : writes) {
            try (PreparedStatement ps = c.prepareStatement(w.sql())) {
                for (int i = 0; i < w.params().size(); i++) {
                    ps.setObject(i + 1, w.params().get(i));
                }
                ps.executeUpdate();
            }
        }
    }

    /**
     * indexMissing indexes every live goods that has no entry yet (goods written with plain SQL),
     * 1,000 at a time in id order; returns how many goods it indexed. Goods whose name has no word
     * (only punctuation) are looked at again on every call, and stay without entries.
     */
    public static int indexMissing(Connection c) throws SQLException {
        long after = 0;
        int indexed = 0;
        while (true) {
            Map<Long, String> names = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT g.id, g.name FROM goods g
                    WHERE g.deleted_at IS NULL AND g.id > ?
                      AND NOT EXISTS (SELECT 1 FROM goods_word w WHERE w.goods_id = g.id)
                    ORDER BY g.id LIMIT 1000""")) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            if (names.isEmpty()) {
                return indexed;
            }
            apply(c, add(names));
            indexed += names.size();
            after = names.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        }
    }
}
