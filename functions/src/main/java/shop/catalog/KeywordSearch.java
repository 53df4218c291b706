package shop.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import shop.catalog.JdbcGoodsRepository.Sql;
import shop.catalog.Keywords.Term;

/**
 * KeywordSearch finds a page of live goods whose names match {@link Keywords} (and the filter's other
 * conditions) through the word index of V204, newest first, with work bounded by the page rather
 * than by the catalogue.
 *
 * <p>It first reads {@code goods_word_stat} for every term (one statement): a word's count, or the
 * words a prefix stands for (at most {@link #MAX_EXPANSION}; more make the term "broad") and their
 * goods summed (over at most {@link #EXACT_BOUND} + 1 words). The term with the fewest goods drives;
 * every other term of one word is a primary-key lookup per candidate (a join on
 * {@code (word, goods_id)}), a prefix of up to {@link #MAX_PREFIX_LOOKUPS} words a lookup per word,
 * a prefix of more words a probe of the candidate's own entries ({@code idx_goods_word_goods});
 * goods (live, other filters) are joined last. Then, by the
 * driver's size:
 * <ul>
 *   <li>at most {@link #EXACT_BOUND} goods: all of them are checked in one statement, and the total
 *       is exact. For one word, the statement reads its entries on the primary key and returns the
 *       page and the total ({@code COUNT(*) OVER ()}); for a prefix of several words, broad or not,
 *       one range read of the primary key returns every match, and the page is taken from them
 *       ({@link #wholeSql});</li>
 *   <li>more, and one word: its entries are read in descending goods id (the primary key), a window
 *       at a time ({@link #windowSql}, sized from the terms' frequencies to hold the page), joined
 *       with the other terms and goods, stopping at the page's next match ({@link #seekSql}); the
 *       total is then estimated — matches per entry read, times the driver's count — and flagged;
 *       exact when the read reached the end of the driver's list;</li>
 *   <li>more, and a prefix of several words: the words' entries are read in id order, merged, in
 *       batches sized from the other terms' frequencies, until the page's next match
 *       ({@link #walkSql}); the total is estimated the same way;</li>
 *   <li>every term broad and large (a short common prefix): live goods are walked in id order
 *       instead, each checked for every term; the total is estimated from the share of ids walked.</li>
 * </ul>
 *
 * <p>Work is bounded whatever the text: a search keeps its {@link #MAX_TERMS} rarest terms
 * ({@link #rarest}), and a read that has met {@link #MAX_MISSES} candidates without a match stops
 * and answers what it found, the count of its matches flagged as an estimate (a lower bound).
 */
final class KeywordSearch {
    /** EXACT_BOUND is the largest driver whose goods are all checked, for an exact total. */
    static final int EXACT_BOUND = 2_000;
    /** MAX_EXPANSION is how many distinct words a prefix may stand for and still drive a walk. */
    static final int MAX_EXPANSION = 64;
    /**
     * MAX_TERMS is how many terms a search keeps: its rarest. Each kept term is at most one join per
     * candidate (so a statement stays far below the server's 61-table limit) and one lookup per entry
     * read; more terms than this hardly narrow a search the rarest ones already pin down (a pasted
     * CJK name of 90 characters is 89 pairs).
     */
    static final int MAX_TERMS = 8;
    /**
     * MAX_MISSES bounds what a search reads beyond its page: once it has read this many index entries
     * (or goods) that did not match, it stops, and answers the matches found so far, with their count
     * as a lower bound ({@code totalEstimated}). Two common words that never occur together would
     * otherwise read the driver's whole list.
     */
    static final int MAX_MISSES = 10_000;
    /**
     * MAX_PREFIX_LOOKUPS is how many words a checked prefix may stand for and still be checked by a
     * primary-key lookup per word (with {@link #MAX_TERMS}, at most 32 joins: under the server's limit
     * of 61 tables).
     */
    static final int MAX_PREFIX_LOOKUPS = 4;
    private static final int MIN_BATCH = 64;
    private static final int MAX_BATCH = 4_096;
    /** WINDOW_SLACK sizes a seek's window for this many times the matches it needs. */
    private static final int WINDOW_SLACK = 3;
    /** SLACK sizes a batch above the expected need, so that one batch usually suffices. */
    private static final double SLACK = 1.25;

    private final Jdbc jdbc;

    KeywordSearch(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Result is the ids of one page and the total, exact or estimated (not capped). */
    record Result(List<Long> ids, long total, boolean estimated) {
    }

    /** Stat is what goods_word_stat says about a term: its words (null: broad) and their goods. */
    record Stat(Term term, List<String> words, long goods) {
        boolean broad() {
            return words == null;
        }
    }

    /** Plan is how a search runs: the driver (null: walk goods) and the terms checked per candidate. */
    record Plan(Stat driver, List<Stat> checked, boolean exact, double selectivity, long maxId) {
    }

    Result search(GoodsFilter filter, int offset, int limit) {
        Plan plan = plan(filter.keywords().terms());
        if (plan == null) {
            return new Result(List.of(), 0, false);
        }
        if (plan.exact()) {
            return oneWord(plan.driver()) ? exact(filter, plan, offset, limit) : whole(filter, plan, offset, limit);
        }
        if (plan.driver() != null && plan.driver().words().size() == 1) {
            return seek(filter, plan, offset, limit);
        }
        return walk(filter, plan, offset, limit);
    }

    /** plan reads the terms' stats and picks the driver; null when some term has no goods. */
    Plan plan(List<Term> terms) {
        Sql stats = statsSql(terms);
        Map<Integer, List<Object[]>> byTerm = new HashMap<>();
        Map<Integer, Long> sums = new HashMap<>();
        long[] maxId = {0};
        jdbc.query(stats.text(), rs -> {
            int t = rs.getInt(1);
            if (t < 0) {
                maxId[0] = rs.getLong(3);
            } else if (rs.getString(2) == null) {
                sums.put(t, rs.getLong(3)); // a prefix's goods over its first EXACT_BOUND + 1 words
            } else {
                byTerm.computeIfAbsent(t, k -> new ArrayList<>()).add(new Object[] {rs.getString(2), rs.getLong(3)});
            }
            return null;
        }, stats.args());
        List<Stat> all = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            List<Object[]> rows = byTerm.get(i);
            if (rows == null) {
                return null; // a term no goods has
            }
            boolean broad = rows.size() > MAX_EXPANSION;
            long goods = broad ? sums.get(i) : rows.stream().mapToLong(r -> (Long) r[1]).sum();
            all.add(new Stat(terms.get(i), broad ? null : rows.stream().map(r -> (String) r[0]).toList(), goods));
        }
        all = rarest(all);
        Stat driver = all.stream().filter(s -> !s.broad()).min(Comparator.comparingLong(Stat::goods)).orElse(null);
        if (driver == null || driver.goods() > EXACT_BOUND) {
            // A broad term may still be small (a long model-number prefix): its goods are summed up to the bound.
            for (Stat s : all) {
                if (s.broad() && s.goods() <= EXACT_BOUND && (driver == null || s.goods() < driver.goods())) {
                    driver = s;
                }
            }
        }
        Stat chosen = driver;
        boolean exact = chosen != null && chosen.goods() <= EXACT_BOUND;
        if (chosen != null && chosen.broad() && !exact) {
            chosen = null; // every term is broad and large: walk goods instead
        }
        double selectivity = 1;
        List<Stat> checked = new ArrayList<>();
        for (Stat s : all) {
            if (chosen == null || s.term() != chosen.term()) {
                checked.add(s);
                selectivity *= Math.min(1.0, (double) s.goods() / Math.max(1, maxId[0]));
            }
        }
        return new Plan(chosen, checked, exact, selectivity, maxId[0]);
    }

    /**
     * rarest keeps the {@link #MAX_TERMS} terms with the fewest goods, in the order of the text (of
     * equally rare terms, the first). Every term was found in some goods, so a term dropped here is
     * at least as common as every kept one: the matches are a superset of the full search's, and
     * almost always the same set.
     */
    static List<Stat> rarest(List<Stat> all) {
        if (all.size() <= MAX_TERMS) {
            return all;
        }
        List<Stat> byGoods = new ArrayList<>(all);
        byGoods.sort(Comparator.comparingLong(Stat::goods)); // stable: text order among equals
        List<Stat> kept = byGoods.subList(0, MAX_TERMS);
        return all.stream().filter(kept::contains).toList();
    }

    /** oneWord tells whether a driver stands for one word (a word, or a prefix of only one). */
    static boolean oneWord(Stat driver) {
        return !driver.term().prefix() || (driver.words() != null && driver.words().size() == 1);
    }

    /** exact checks every goods of a small driver of one word in one statement: the page and the exact total. */
    private Result exact(GoodsFilter filter, Plan plan, int offset, int limit) {
        Sql page = exactSql(filter, plan, offset, limit);
        List<long[]> rows = jdbc.query(page.text(), rs -> new long[] {rs.getLong(1), rs.getLong(2)}, page.args());
        long total;
        if (!rows.isEmpty()) {
            total = rows.getFirst()[1];
        } else if (offset == 0) {
            total = 0;
        } else { // a page past the end: the first match carries the count
            Sql first = exactSql(filter, plan, 0, 1);
            total = jdbc.queryOne(first.text(), rs -> rs.getLong(2), first.args()).orElse(0L);
        }
        return new Result(rows.stream().map(r -> r[0]).toList(), total, false);
    }

    /**
     * whole checks every goods of a small prefix of several words in one statement ({@link #wholeSql})
     * that returns all the matches, and takes the page here: the matches are few (at most
     * {@link #EXACT_BOUND} entries), so sorting them costs less than ordering, deduplicating and
     * counting them in the server, and the total is exact on every page, past the end too.
     */
    private Result whole(GoodsFilter filter, Plan plan, int offset, int limit) {
        Sql sql = wholeSql(filter, plan);
        long[] ids = jdbc.query(sql.text(), rs -> rs.getLong(1), sql.args()).stream().mapToLong(Long::longValue)
                .sorted().distinct().toArray(); // a goods with two words of the prefix comes twice
        List<Long> page = new ArrayList<>();
        for (int i = ids.length - 1 - offset; i >= 0 && page.size() < limit; i--) {
            page.add(ids[i]); // newest first
        }
        return new Result(page, ids.length, false);
    }

    /**
     * seek finds the page and one more match of a driver of one word, a window of its entries at a
     * time: {@link #windowSql} finds where the next {@code window} entries (in descending id order)
     * end, and {@link #seekSql} reads them joined with the other terms and goods, stopping at the last
     * match needed, so only matches leave the server. The first window is sized from the terms'
     * frequencies to hold the page, so a search usually takes one window; the read stops after
     * {@link #MAX_MISSES} entries that did not match. The total is estimated from the matches per
     * entry read (the last window's entries read interpolated over its ids), times the driver's goods.
     */
    private Result seek(GoodsFilter filter, Plan plan, int offset, int limit) {
        int need = offset + limit + 1;
        String word = plan.driver().words().getFirst();
        List<Long> matches = new ArrayList<>();
        long cursor = Long.MAX_VALUE; // exclusive upper bound of the next window
        long top = plan.maxId();      // the highest id the next window may hold
        long read = 0;                // entries of the windows read whole
        // Sized for three times the page: finding the bounds of a window is an index-only read,
        // cheap next to a second window's two statements, which a window just big enough would
        // often need (the matches among its entries vary, and words are rarely independent).
        int window = batchSize(WINDOW_SLACK * need, plan.selectivity());
        while (true) {
            Sql bounds = windowSql(word, cursor, window);
            Optional<Long> found = jdbc.queryOne(bounds.text(), rs -> rs.getLong(1), bounds.args());
            // No window-th entry: fewer remain, and this window runs to the end of the driver's list.
            boolean last = found.isEmpty();
            long floor = found.orElse(0L);
            Sql sql = seekSql(filter, plan, cursor, floor, need - matches.size());
            matches.addAll(jdbc.query(sql.text(), rs -> rs.getLong(1), sql.args()));
            if (matches.size() >= need) {
                // A last window holds the rest of the list: the driver's goods less those read before it.
                long entries = last ? Math.max(1, plan.driver().goods() - read) : window;
                double share = (double) (top - matches.getLast() + 1) / Math.max(1, top - floor + 1);
                double walked = read + Math.max(1, entries * Math.max(0, Math.min(1, share)));
                long estimate = Math.round(matches.size() * plan.driver().goods() / walked);
                return new Result(page(matches, offset, limit), Math.max(need, estimate), true);
            }
            if (last) {
                return new Result(page(matches, offset, limit), matches.size(), false); // read to the end
            }
            read += window;
            if (read - matches.size() >= MAX_MISSES) {
                return new Result(page(matches, offset, limit), matches.size(), true); // a lower bound
            }
            cursor = floor;
            top = floor - 1;
            double seen = matches.isEmpty() ? plan.selectivity() / 4 : (double) matches.size() / read;
            window = batchSize(WINDOW_SLACK * (need - matches.size()), seen);
        }
    }

    private static List<Long> page(List<Long> matches, int offset, int limit) {
        return List.copyOf(matches.subList(Math.min(offset, matches.size()), Math.min(offset + limit, matches.size())));
    }

    /**
     * walk reads candidates in descending id order, batch after batch, until the page and one more
     * match are found or the candidates run out (a driver of several words, merged; or goods).
     */
    private Result walk(GoodsFilter filter, Plan plan, int offset, int limit) {
        int need = offset + limit + 1;
        List<Long> page = new ArrayList<>();
        long cursor = Long.MAX_VALUE;
        long walked = 0;
        long matched = 0;
        int batch = batchSize(need, plan.selectivity());
        // A merged walk reads up to a batch of each of the prefix's words to merge one batch.
        int readsPerCandidate = plan.driver() == null ? 1 : plan.driver().words().size();
        long read = 0;
        boolean exhausted;
        while (true) {
            Sql sql = walkSql(filter, plan, cursor, batch);
            List<long[]> rows = jdbc.query(sql.text(), rs -> new long[] {rs.getLong(1), rs.getLong(2)}, sql.args());
            for (long[] row : rows) {
                walked++;
                if (row[1] != 0) {
                    if (matched >= offset && matched < offset + limit) {
                        page.add(row[0]);
                    }
                    matched++;
                }
            }
            if (!rows.isEmpty()) {
                cursor = rows.getLast()[0];
            }
            exhausted = rows.size() < batch;
            if (exhausted || matched >= need) {
                break;
            }
            read += (long) batch * readsPerCandidate;
            if (read - matched >= MAX_MISSES) {
                return new Result(page, matched, true); // a lower bound
            }
            // The next batch from the share of matches seen so far (none yet: four times the guess).
            double seen = matched > 0 ? (double) matched / walked : plan.selectivity() / 4;
            batch = (int) Math.min(batchSize(need - matched, seen),
                    Math.max(MIN_BATCH, (MAX_MISSES + matched - read) / readsPerCandidate));
        }
        if (exhausted) {
            return new Result(page, matched, false);
        }
        double estimate;
        if (plan.driver() != null) {
            estimate = (double) matched * plan.driver().goods() / walked;
        } else { // goods walked from the newest id down to the cursor
            estimate = matched * (double) plan.maxId() / Math.max(1, plan.maxId() - cursor + 1);
        }
        return new Result(page, Math.max(need, Math.round(estimate)), true);
    }

    private static int batchSize(long need, double selectivity) {
        double n = need / Math.max(selectivity, 1e-6) * SLACK;
        return (int) Math.max(MIN_BATCH, Math.min(MAX_BATCH, Math.ceil(n)));
    }

    /**
     * statsSql reads each term's stat rows ({@code t} = the term's position; a prefix's words up to
     * one more than {@link #MAX_EXPANSION}, and a row without a word that sums the goods of its first
     * {@link #EXACT_BOUND} + 1 words: more words are more goods than the bound anyway) and, as
     * {@code t = -1}, the highest goods id.
     */
    static Sql statsSql(List<Term> terms) {
        List<String> parts = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            if (t.prefix()) {
                parts.add("(SELECT " + i + " AS t, word, n FROM goods_word_stat WHERE word LIKE ? ORDER BY word LIMIT "
                        + (MAX_EXPANSION + 1) + ")");
                parts.add("(SELECT " + i + ", NULL, COALESCE(SUM(n), 0) FROM (SELECT n FROM goods_word_stat WHERE word LIKE ?"
                        + " ORDER BY word LIMIT " + (EXACT_BOUND + 1) + ") s)");
                params.add(like(t.text()));
                params.add(like(t.text()));
            } else {
                parts.add("(SELECT " + i + " AS t, word, n FROM goods_word_stat WHERE word = ?)");
                params.add(t.text());
            }
        }
        parts.add("(SELECT -1, NULL, MAX(id) FROM goods)");
        return new Sql(String.join(" UNION ALL ", parts), params);
    }

    /**
     * exactSql is the page of a small driver's matches, for a driver of one word, each row with the
     * number of matches. The driver's goods are read whole on the primary key (at most
     * {@link #EXACT_BOUND}) and joined with the other terms (see {@link #checks}) and with goods by
     * primary key.
     */
    static Sql exactSql(GoodsFilter filter, Plan plan, int offset, int limit) {
        Sql rest = JdbcGoodsRepository.where(filter);
        Checks checks = checks(plan.checked(), "d.goods_id", true);
        Term driver = plan.driver().term();
        List<Object> params = new ArrayList<>(checks.hitParams());
        params.addAll(checks.joinParams());
        params.addAll(rest.params());
        params.add(driver.prefix() ? plan.driver().words().getFirst() : driver.text());
        params.add(limit);
        params.add(offset);
        return new Sql("SELECT STRAIGHT_JOIN d.goods_id, COUNT(*) OVER (), TRUE" + checks.hit() + " AS hit FROM goods_word d"
                + checks.joins() + " JOIN goods g ON g.id = d.goods_id AND " + rest.text()
                + " WHERE d.word = ?" + checks.where() + " HAVING hit ORDER BY d.goods_id DESC LIMIT ? OFFSET ?", params);
    }

    /**
     * wholeSql is every match of a small prefix of several words, unordered, a goods once per word
     * of the prefix it has: one range read of the primary key over the prefix's words (at most
     * {@link #EXACT_BOUND} entries), each entry joined with the other terms and with goods by
     * primary key, as in {@link #exactSql}.
     */
    static Sql wholeSql(GoodsFilter filter, Plan plan) {
        Sql rest = JdbcGoodsRepository.where(filter);
        Checks checks = checks(plan.checked(), "d.goods_id", true);
        List<Object> params = new ArrayList<>(checks.hitParams());
        params.addAll(checks.joinParams());
        params.addAll(rest.params());
        params.add(like(plan.driver().term().text()));
        String having = checks.hit().isEmpty() ? "" : " HAVING hit";
        return new Sql("SELECT STRAIGHT_JOIN d.goods_id, TRUE" + checks.hit() + " AS hit FROM goods_word d" + checks.joins()
                + " JOIN goods g ON g.id = d.goods_id AND " + rest.text() + " WHERE d.word LIKE ?" + checks.where() + having, params);
    }

    /**
     * seekSql is the first {@code need} matches of a driver of one word within a window of its
     * entries ({@code floor <= goods_id < cursor}): its primary-key entries in descending id order,
     * each joined with the other terms (a primary-key lookup per one-word term) and then goods, so
     * that only entries with every word reach goods; the read stops at the last match needed, or at
     * the window's end.
     */
    static Sql seekSql(GoodsFilter filter, Plan plan, long cursor, long floor, int need) {
        Sql rest = JdbcGoodsRepository.where(filter);
        Checks checks = checks(plan.checked(), "d.goods_id", true);
        List<Object> params = new ArrayList<>(checks.hitParams());
        params.addAll(checks.joinParams());
        params.addAll(rest.params());
        params.addAll(List.of(plan.driver().words().getFirst(), cursor, floor, need));
        String having = checks.hit().isEmpty() ? "" : " HAVING hit";
        return new Sql("SELECT STRAIGHT_JOIN d.goods_id, TRUE" + checks.hit() + " AS hit FROM goods_word d" + checks.joins()
                + " JOIN goods g ON g.id = d.goods_id AND " + rest.text()
                + " WHERE d.word = ? AND d.goods_id < ? AND d.goods_id >= ?" + checks.where() + having
                + " ORDER BY d.goods_id DESC LIMIT ?", params);
    }

    /**
     * windowSql is where the next {@code window} entries of a word below {@code cursor} end: the id of
     * the window-th of them, the lowest of the window; no row when fewer remain (the window is the
     * rest of the list). A forward read of at most {@code window} entries of the primary key (V207
     * holds them newest first), with no temporary table.
     */
    static Sql windowSql(String word, long cursor, int window) {
        return new Sql("SELECT goods_id FROM goods_word WHERE word = ? AND goods_id < ? ORDER BY goods_id DESC"
                + " LIMIT 1 OFFSET ?", List.of(word, cursor, window - 1));
    }

    /**
     * walkSql is one batch of candidates below the cursor, newest first, each with whether it matches
     * ({@code hit}): the driver's words read in id order (one ordered read per word, merged), or, with
     * no driver, live goods in id order through the filter's own index.
     */
    static Sql walkSql(GoodsFilter filter, Plan plan, long cursor, int batch) {
        Sql rest = JdbcGoodsRepository.where(filter);
        if (plan.driver() == null) {
            Checks checks = checks(plan.checked(), "g.id", false);
            List<Object> params = new ArrayList<>(checks.hitParams());
            params.addAll(checks.joinParams());
            params.addAll(rest.params());
            params.add(cursor);
            params.add(batch);
            return new Sql("SELECT g.id, TRUE" + checks.hit() + " AS hit FROM goods g" + checks.joins() + " WHERE "
                    + rest.text() + " AND g.id < ? ORDER BY g.id DESC LIMIT ?", params);
        }
        Checks checks = checks(plan.checked(), "d.goods_id", false);
        List<Object> params = new ArrayList<>(checks.hitParams());
        String select = "SELECT d.goods_id, g.id IS NOT NULL" + checks.hit() + " AS hit FROM ";
        List<String> words = plan.driver().words();
        if (words.size() == 1) { // one ordered read of the primary key, each entry joined as it is read
            params.addAll(rest.params());
            params.addAll(checks.joinParams());
            params.addAll(List.of(words.getFirst(), cursor, batch));
            return new Sql(select + "goods_word d LEFT JOIN goods g ON g.id = d.goods_id AND " + rest.text() + checks.joins()
                    + " WHERE d.word = ? AND d.goods_id < ? ORDER BY d.goods_id DESC LIMIT ?", params);
        }
        List<String> parts = new ArrayList<>();
        for (String w : words) {
            parts.add("(SELECT goods_id FROM goods_word WHERE word = ? AND goods_id < ? ORDER BY goods_id DESC LIMIT ?)");
            params.addAll(List.of(w, cursor, batch));
        }
        params.add(batch);
        params.addAll(rest.params());
        params.addAll(checks.joinParams());
        return new Sql(select + "(SELECT goods_id FROM (" + String.join(" UNION ", parts)
                + ") u ORDER BY goods_id DESC LIMIT ?) d LEFT JOIN goods g ON g.id = d.goods_id AND " + rest.text()
                + checks.joins() + " ORDER BY d.goods_id DESC", params);
    }

    /**
     * Checks are the conditions of the other terms on a candidate: joins, the hit condition that uses
     * them, and (inner checks) conditions on the joins for the WHERE clause, without parameters.
     */
    private record Checks(String joins, List<Object> joinParams, String hit, List<Object> hitParams, String where) {
    }

    /**
     * checks builds the other terms' conditions on a goods id. A term of one word is a join on the
     * primary key {@code (word, goods_id)}, one lookup per candidate: an inner join that filters
     * ({@code inner}), or a left join whose match the hit condition tests. A prefix of a few words (at
     * most {@link #MAX_PREFIX_LOOKUPS}: "glass" for glass and glasses) is a left join per word, one
     * primary-key lookup each, and a condition that one of them matched: in the WHERE clause
     * ({@code inner}, so that goods are read only for matches) or the hit condition. A prefix of more
     * words is a probe of the candidate's own entries on {@code idx_goods_word_goods}, in the select
     * list, where the optimizer keeps it per candidate (in a WHERE clause it may turn it into a
     * semi-join that reads the prefix's whole list); a correlated subquery costs about twice a lookup
     * per candidate.
     */
    private static Checks checks(List<Stat> terms, String id, boolean inner) {
        StringBuilder joins = new StringBuilder();
        StringBuilder hit = new StringBuilder();
        StringBuilder where = new StringBuilder();
        List<Object> joinParams = new ArrayList<>();
        List<Object> hitParams = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            Stat s = terms.get(i);
            if (s.words() != null && s.words().size() == 1) {
                String w = "w" + i;
                joins.append(inner ? " JOIN goods_word " : " LEFT JOIN goods_word ").append(w).append(" ON ").append(w)
                        .append(".word = ? AND ").append(w).append(".goods_id = ").append(id);
                joinParams.add(s.words().getFirst());
                if (!inner) {
                    hit.append(" AND ").append(w).append(".goods_id IS NOT NULL");
                }
            } else if (s.words() != null && s.words().size() <= MAX_PREFIX_LOOKUPS) {
                List<String> any = new ArrayList<>();
                for (int j = 0; j < s.words().size(); j++) {
                    String w = "w" + i + "_" + j;
                    joins.append(" LEFT JOIN goods_word ").append(w).append(" ON ").append(w).append(".word = ? AND ")
                            .append(w).append(".goods_id = ").append(id);
                    joinParams.add(s.words().get(j));
                    any.add(w + ".goods_id IS NOT NULL");
                }
                (inner ? where : hit).append(" AND (").append(String.join(" OR ", any)).append(')');
            } else if (s.term().prefix()) {
                hit.append(" AND EXISTS (SELECT 1 FROM goods_word w WHERE w.goods_id = ").append(id)
                        .append(" AND w.word LIKE ?)");
                hitParams.add(like(s.term().text()));
            } else {
                hit.append(" AND EXISTS (SELECT 1 FROM goods_word w WHERE w.word = ? AND w.goods_id = ").append(id).append(')');
                hitParams.add(s.term().text());
            }
        }
        return new Checks(joins.toString(), joinParams, hit.toString(), hitParams, where.toString());
    }

    /** like is the LIKE pattern for words starting with a prefix, with %, _ and \ escaped. */
    static String like(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
