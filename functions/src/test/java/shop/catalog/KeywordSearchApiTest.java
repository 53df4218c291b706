package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GET /goods?keywords= on the real stack, through the word index (V204): prefixes, several words,
 * case and accents, CJK, short words, punctuation, goods written, renamed and deleted through the
 * API, paging, and exact against estimated totals over a catalogue large enough to estimate.
 */
class KeywordSearchApiTest extends CatalogApiTestBase {
    long leaf;
    long brand;

    @BeforeEach
    void catalog() {
        leaf = CatalogDb.category("Things", null, 1, false);
        brand = CatalogDb.brand("Acme");
    }

    private long create(String name) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("goodsSn", "SN-" + System.nanoTime());
        body.put("categoryId", leaf);
        body.put("brandId", brand);
        body.put("shopPrice", 990);
        var resp = api.post("/goods", body);
        assertEquals(201, resp.status(), resp.toString());
        return resp.id();
    }

    private Map<String, Object> body(String name, String goodsSn) {
        var body = new HashMap<String, Object>();
        body.put("name", name);
        body.put("goodsSn", goodsSn);
        body.put("categoryId", leaf);
        body.put("brandId", brand);
        body.put("shopPrice", 990);
        return body;
    }

    @Test
    void concurrentRenames_withCrossingWords_neverFail_andKeepTheStatsExact() throws Exception {
        // Half the writers rename "alpha" goods to "omega" and back, the other half the other way round,
        // so two renames often move the same two words' counts in opposite directions at once.
        int writers = 8;
        int rounds = 15;
        List<Long> ids = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            ids.add(create(t % 2 == 0 ? "Alpha Kettle" : "Omega Kettle"));
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        var start = new java.util.concurrent.CountDownLatch(1);
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var done = new ArrayList<java.util.concurrent.Future<?>>();
        try {
            for (int t = 0; t < writers; t++) {
                long id = ids.get(t);
                String first = t % 2 == 0 ? "Omega Kettle" : "Alpha Kettle";
                String second = t % 2 == 0 ? "Alpha Kettle" : "Omega Kettle";
                String sn = "CROSS-" + t + "-" + System.nanoTime();
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        var resp = api.put("/goods/" + id, body(i % 2 == 0 ? first : second, sn));
                        if (resp.status() != 200) {
                            failures.add(id + " round " + i + ": " + resp);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), List.copyOf(failures), "every rename succeeds");
        // Fifteen renames end on each writer's first name: four goods are alpha, four omega.
        assertEquals(writers / 2, stat("alpha"));
        assertEquals(writers / 2, stat("omega"));
        assertEquals(writers, stat("kettle"));
        assertEquals(CatalogDb.rows("SELECT word, COUNT(*) FROM goods_word GROUP BY word ORDER BY word").toString(),
                CatalogDb.rows("SELECT word, n FROM goods_word_stat ORDER BY word").toString(),
                "the stats match the index");
    }

    private CatalogApi.Resp search(String keywords, Object... more) {
        var call = api.call("GET", "/goods").query("keywords", keywords);
        for (int i = 0; i < more.length; i += 2) {
            call.query((String) more[i], more[i + 1]);
        }
        var resp = call.send();
        assertEquals(200, resp.status(), resp.toString());
        return resp;
    }

    private List<Long> ids(String keywords, Object... more) {
        List<Long> out = new ArrayList<>();
        search(keywords, more).body().path("items").forEach(i -> out.add(i.path("id").asLong()));
        return out;
    }

    /** stored is what the word index holds for a goods. */
    private static Set<String> stored(long goodsId) {
        Set<String> words = new TreeSet<>();
        try (var c = shop.testing.TestStack.get().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT word FROM goods_word WHERE goods_id = ?")) {
            ps.setLong(1, goodsId);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    words.add(rs.getString(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return words;
    }

    private static long stat(String word) {
        return CatalogDb.longQuery("SELECT COALESCE(SUM(n), 0) FROM goods_word_stat WHERE word = '" + word + "'");
    }

    @Test
    void wordsMatchAsPrefixes_ignoringCaseAndAccents() {
        long teapot = create("Zen Teapot Café");
        long tea = create("Green TEA 100g");
        long phone = create("Acme Wireless Phone X");
        assertEquals(List.of(tea, teapot), ids("tea"), "tea starts teapot too");
        assertEquals(List.of(teapot), ids("TEAP"));
        assertEquals(List.of(teapot), ids("cafe"));
        assertEquals(List.of(teapot), ids("CAFÉ"));
        assertEquals(List.of(phone), ids("wire PHO"));
        assertEquals(List.of(), ids("teapots"), "a longer word is no prefix of a shorter one");
        assertEquals(List.of(), ids("apot"), "a word must start a word of the name");
    }

    @Test
    void everyWordMustMatch_inAnyOrder() {
        long phone = create("Acme Wireless Phone X");
        long charger = create("Acme Fast Charger");
        create("Zen Phone Lite");
        assertEquals(List.of(phone), ids("acme phone"));
        assertEquals(List.of(phone), ids("phone, ACME!"));
        assertEquals(List.of(charger, phone), ids("acme"));
        assertEquals(List.of(), ids("acme lite"));
        assertEquals(List.of(), ids("acme nothing"));
    }

    @Test
    void shortWords_matchWholeWords() {
        long tv = create("Smart TV 4K");
        create("TVs Stand");
        long phone = create("Acme Wireless Phone X");
        assertEquals(List.of(tv), ids("tv"));
        assertEquals(List.of(tv), ids("4k TV"));
        assertEquals(List.of(phone), ids("x"));
        assertEquals(List.of(), ids("sm"), "a word under three letters is no prefix");
    }

    @Test
    void cjkWordsInsideNames_areFound() {
        long fuji = create("红富士苹果 2kg");
        long juice = create("新疆苹果汁");
        long coffee = create("ブルーマウンテン コーヒー");
        assertEquals(List.of(juice, fuji), ids("苹果"), "a word inside a run");
        assertEquals(List.of(fuji), ids("红富士"));
        assertEquals(List.of(juice), ids("果汁"));
        assertEquals(List.of(juice, fuji), ids("果"), "a single character");
        assertEquals(List.of(fuji), ids("苹果 2KG"), "CJK and latin together");
        assertEquals(List.of(fuji), ids("富士苹果"));
        assertEquals(List.of(), ids("富苹"), "characters that are not next to each other");
        assertEquals(List.of(coffee), ids("コーヒー"));
        assertEquals(List.of(coffee), ids("ｺｰﾋｰ"), "half-width katakana is folded");
    }

    @Test
    void punctuationOnly_matchesNothing() {
        create("Acme Wireless Phone X");
        var resp = search("!! -- %_ ?");
        assertEquals(0, resp.body().path("total").asInt());
        assertEquals(0, resp.body().path("items").size());
        assertTrue(resp.body().path("totalEstimated").isMissingNode());
    }

    @Test
    void renamedGoods_areFoundByTheirNewNameOnly() {
        long id = create("Acme Wireless Phone X");
        long other = create("Acme Phone Lite");
        var body = new HashMap<String, Object>();
        body.put("name", "Acme Cordless Kettle");
        body.put("goodsSn", "SN-RENAMED");
        body.put("categoryId", leaf);
        body.put("brandId", brand);
        body.put("shopPrice", 990);
        assertEquals(200, api.put("/goods/" + id, body).status());
        assertEquals(List.of(), ids("wireless"));
        assertEquals(List.of(other), ids("phone"));
        assertEquals(List.of(id), ids("cordless kett"));
        assertEquals(List.of(other, id), ids("acme"));
        assertEquals(Keywords.indexWords("Acme Cordless Kettle"), stored(id));
        assertEquals(0, stat("wireless"), "a word no goods has any more");
        assertEquals(1, stat("phone"));
        assertEquals(2, stat("acme"));
    }

    @Test
    void deletedGoods_leaveTheIndex_andNeverAppear() {
        long id = create("Acme Wireless Phone X");
        long other = create("Acme Phone Lite");
        assertEquals(204, api.delete("/goods/" + id).status());
        assertEquals(List.of(other), ids("acme phone"));
        assertEquals(List.of(), ids("wireless"));
        assertEquals(Set.of(), stored(id));
        assertEquals(1, stat("acme"));
        // Deleted with plain SQL (no index upkeep): the live check still leaves it out.
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + other);
        assertEquals(List.of(), ids("acme phone"));
        assertEquals(0, search("acme").body().path("total").asInt());
    }

    @Test
    void pages_coverEveryMatchOnce_withAnExactTotal() {
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images)
                SELECT CONCAT(IF(MOD(seq, 3) = 0, 'Paging Lamp ', 'Paging Desk '), seq), CONCAT('PG-', seq), %d, %d, seq, '[]', '[]'
                FROM seq_1_to_135
                """.formatted(leaf, brand));
        CatalogDb.repath();
        List<Long> expected = new ArrayList<>();
        long first = CatalogDb.longQuery("SELECT MIN(id) FROM goods");
        for (long seq = 135; seq >= 1; seq--) {
            if (seq % 3 == 0) {
                expected.add(first + seq - 1);
            }
        }
        List<Long> all = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            var resp = search("lamp paging", "page", page, "pageSize", 20);
            assertEquals(45, resp.body().path("total").asInt(), "page " + page);
            assertTrue(resp.body().path("totalEstimated").isMissingNode());
            resp.body().path("items").forEach(i -> all.add(i.path("id").asLong()));
        }
        assertEquals(expected, all);
        var past = search("lamp paging", "page", 4, "pageSize", 20);
        assertEquals(0, past.body().path("items").size());
        assertEquals(45, past.body().path("total").asInt(), "a page past the end still counts");
    }

    /**
     * Over 10,000 goods named like the benchmark's (4 adjectives, 4 nouns: every word has more than
     * 2,000 goods), a two-word search walks only part of its rarest word: its items are exactly the
     * newest matches, and its total an estimate within 30% of the truth, flagged. A search whose
     * rarest word has at most 2,000 goods, or a page that reaches the end of the list, is exact.
     */
    @Test
    void totals_areExactForSmallDrivers_andEstimatedForLargeOnes() {
        String[] adjectives = {"vintage", "smart", "rustic", "golden"};
        String[] nouns = {"tea", "lamp", "chair", "mug"};
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder values = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= 10_000; n++) {
            String name = adjectives[random.nextInt(4)] + " " + nouns[random.nextInt(4)] + " "
                    + adjectives[random.nextInt(4)] + " model " + n + (n % 500 == 0 ? " rare" : "");
            names.add(name);
            values.append(n > 1 ? "," : "").append("('").append(name).append("','EST-").append(n).append("',")
                    .append(leaf).append(',').append(brand).append(",100,'[]','[]')");
        }
        CatalogDb.exec("INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images) VALUES "
                + values);
        CatalogDb.repath();
        long first = CatalogDb.longQuery("SELECT MIN(id) FROM goods");
        List<Long> vintageTea = new ArrayList<>();
        List<Long> rareLamp = new ArrayList<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            Set<String> words = Keywords.indexWords(names.get(i));
            if (words.contains("vintage") && words.contains("tea")) {
                vintageTea.add(first + i);
            }
            if (words.contains("rare") && words.contains("lamp")) {
                rareLamp.add(first + i);
            }
        }
        assertTrue(stat("tea") > KeywordSearch.EXACT_BOUND && stat("vintage") > KeywordSearch.EXACT_BOUND,
                "both words are large drivers");

        var page1 = search("vintage tea");
        assertTrue(page1.body().path("totalEstimated").asBoolean(), page1.toString());
        long estimate = page1.body().path("total").asLong();
        assertTrue(Math.abs(estimate - vintageTea.size()) <= 0.3 * vintageTea.size(),
                "estimate " + estimate + " against " + vintageTea.size());
        assertEquals(vintageTea.subList(0, 20), ids("vintage tea"));
        assertEquals(vintageTea.subList(20, 40), ids("tea vintage", "page", 2));

        // The last page reads the list to its end: exact.
        int lastPage = (vintageTea.size() + 99) / 100;
        var last = search("vintage tea", "page", lastPage, "pageSize", 100);
        assertEquals(vintageTea.size(), last.body().path("total").asInt());
        assertTrue(last.body().path("totalEstimated").isMissingNode(), last.toString());
        assertEquals(vintageTea.subList((lastPage - 1) * 100, vintageTea.size()), idsOf(last));

        // A rare word drives: every candidate is checked, the total is exact.
        var rare = search("lamp rare");
        assertEquals(rareLamp.size(), rare.body().path("total").asInt());
        assertTrue(rare.body().path("totalEstimated").isMissingNode());
        assertEquals(rareLamp, idsOf(rare));

        // A model-number prefix stands for many words (5, 50..59, 500..599, 5000..5999): read whole, exact.
        var model = search("model 5", "pageSize", 100);
        assertEquals(1, model.body().path("total").asInt(), "a short word is a whole word");
        var prefix = search("model 500");
        assertEquals(11, prefix.body().path("total").asInt(), "500 and 5000..5009");
        assertTrue(prefix.body().path("totalEstimated").isMissingNode());
        assertFalse(ids("golden", "pageSize", 100).isEmpty());
    }

    /**
     * A checked prefix that stands for a few words ("glass": glass and glasses) is a lookup per word,
     * in each plan: a small driver read whole (tiny), a large one sought window after window (lamp:
     * 3,000 goods, of which 100 have a glass word, where the words' frequencies predict 43%, so the
     * first window falls far short, and a page of 100 seeks to the end of the list), and a merged
     * walk of the prefix (glass and glasses drive "mug glass", mug and mugs are checked). Every answer
     * is the names' own, newest first; a read to the end of the list counts exactly.
     */
    @Test
    void checkedPrefixOfFewWords_andSeeksOverManyWindows_answerExactlyWhatTheNamesSay() {
        StringBuilder values = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= 10_000; n++) {
            boolean lamp = n % 10 < 3;
            String glass = lamp ? (n % 200 == 0 ? " glasses" : n % 200 == 100 ? " glass" : "")
                    : (n % 2 == 0 ? " glass" : n % 5 == 1 ? " glasses" : "");
            String name = (lamp ? "lamp" : n % 3 == 0 ? "mugs" : "mug") + glass + (n % 97 == 0 ? " tiny" : "") + " item " + n;
            names.add(name);
            values.append(n > 1 ? "," : "").append("('").append(name).append("','FEW-").append(n).append("',")
                    .append(leaf).append(',').append(brand).append(",100,'[]','[]')");
        }
        CatalogDb.exec("INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images) VALUES "
                + values);
        CatalogDb.repath();
        long first = CatalogDb.longQuery("SELECT MIN(id) FROM goods");
        assertTrue(stat("lamp") > KeywordSearch.EXACT_BOUND, "lamp is sought, not read whole");
        for (String driver : List.of("lamp", "mug", "tiny")) {
            List<Long> expected = new ArrayList<>();
            for (int i = names.size() - 1; i >= 0; i--) {
                Set<String> words = Keywords.indexWords(names.get(i));
                if (words.stream().anyMatch(w -> w.startsWith(driver)) && words.stream().anyMatch(w -> w.startsWith("glass"))) {
                    expected.add(first + i);
                }
            }
            assertTrue(expected.size() > 20, driver + ": more than a page, " + expected.size());
            String text = driver + " glass";
            assertEquals(expected.subList(0, 20), ids(text), text);
            assertEquals(expected.subList(20, Math.min(40, expected.size())), ids(text, "page", 2), text + " page 2");
            var all = search(text, "pageSize", 100);
            if (expected.size() <= 100) {
                assertEquals(expected.size(), all.body().path("total").asInt(), text + ": read to the end, exact");
                assertTrue(all.body().path("totalEstimated").isMissingNode(), all.toString());
            }
            assertEquals(expected.subList(0, Math.min(100, expected.size())), idsOf(all), text);
        }
    }

    /**
     * A prefix of several words with more than 2,000 goods drives a merged walk of its words; a prefix
     * of more than 64 words and 2,000 goods (every model number) is checked on goods walked in id
     * order; a broad prefix with fewer goods is read whole. Each gives the newest matches; the
     * walks estimate the total.
     */
    @Test
    void walks_overSeveralWordsOfAPrefix_andOverGoodsForABroadOne() {
        CatalogDb.exec("""
                INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images)
                SELECT CONCAT('Walk ', ELT(1 + MOD(seq, 3), 'pro', 'pros', 'professional'), ' item zzz', seq),
                       CONCAT('W-', seq), %d, %d, seq, '[]', '[]'
                FROM seq_1_to_6000
                """.formatted(leaf, brand));
        CatalogDb.repath();
        long first = CatalogDb.longQuery("SELECT MIN(id) FROM goods");
        long newest = first + 5_999;
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + newest); // words kept: the live check drops it
        List<Long> expected = new ArrayList<>();
        for (long id = newest - 1; id > newest - 41; id--) {
            expected.add(id);
        }
        for (String keywords : List.of("pro", "pro item", "zzz", "zzz walk")) {
            var page1 = search(keywords);
            assertEquals(expected.subList(0, 20), idsOf(page1), keywords);
            assertTrue(page1.body().path("totalEstimated").asBoolean(), keywords + ": " + page1);
            long total = page1.body().path("total").asLong();
            assertTrue(Math.abs(total - 5_999) <= 0.3 * 5_999, keywords + ": estimate " + total);
            assertEquals(expected.subList(20, 40), ids(keywords, "page", 2), keywords);
        }
        var broadButSmall = search("zzz1", "pageSize", 100);
        assertEquals(1_111, broadButSmall.body().path("total").asInt(), "zzz1, zzz10..19, ..., zzz1000..1999");
        assertTrue(broadButSmall.body().path("totalEstimated").isMissingNode());
        assertEquals(first + 1_999 - 1, idsOf(broadButSmall).getFirst(), "zzz1999 is the newest");
    }

    /**
     * A prefix that stands for 30 model numbers of one goods each (a model number typed in part) is
     * read whole: newest first, a goods with two of its words once, deleted goods and goods without
     * the other word left out, paged, with an exact total on every page and past the end.
     */
    @Test
    void prefixOfManyWordsWithFewGoods_pagesNewestFirst_withAnExactTotal() {
        List<String> models = new ArrayList<>(List.of("770"));
        for (int i = 0; i < 10; i++) {
            models.add("770" + i);
        }
        for (int i = 0; i < 19; i++) {
            models.add("770" + (10 + i));
        }
        List<String> names = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        for (int k = 0; k < 60; k++) { // matches and others, interleaved
            String name = k % 2 == 1 ? "Gadget model 77" + k // 771, 773, ..., 7759: not the prefix
                    : (k % 4 == 0 ? "Widget model " : "Gadget model ") + models.get(k / 2) + (k == 10 ? " 77099" : "");
            names.add(name);
            values.append(k > 0 ? "," : "").append("('").append(name).append("','MN-").append(k).append("',")
                    .append(leaf).append(',').append(brand).append(",100,'[]','[]')");
        }
        CatalogDb.exec("INSERT INTO goods (name, goods_sn, category_id, brand_id, shop_price, images, desc_images) VALUES "
                + values);
        CatalogDb.repath();
        long first = CatalogDb.longQuery("SELECT MIN(id) FROM goods");
        long deleted = first + 58; // the newest match; its words stay, the live check drops it
        CatalogDb.exec("UPDATE goods SET deleted_at = NOW(3) WHERE id = " + deleted);
        assertEquals(31, CatalogDb.longQuery("SELECT COUNT(*) FROM goods_word_stat WHERE word LIKE '770%'"),
                "30 model numbers and 77099, each its own word");
        List<Long> all = new ArrayList<>();
        List<Long> gadgets = new ArrayList<>();
        for (int k = names.size() - 1; k >= 0; k--) {
            long id = first + k;
            boolean match = id != deleted && Keywords.indexWords(names.get(k)).stream().anyMatch(w -> w.startsWith("770"));
            if (match) {
                all.add(id);
                if (names.get(k).startsWith("Gadget")) {
                    gadgets.add(id);
                }
            }
        }
        assertEquals(29, all.size());

        List<Long> paged = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            var resp = search("770", "page", page, "pageSize", 10);
            assertEquals(29, resp.body().path("total").asInt(), "page " + page);
            assertTrue(resp.body().path("totalEstimated").isMissingNode(), resp.toString());
            paged.addAll(idsOf(resp));
        }
        assertEquals(all, paged, "every match once, newest first");
        var past = search("770", "page", 4, "pageSize", 10);
        assertEquals(0, past.body().path("items").size());
        assertEquals(29, past.body().path("total").asInt(), "a page past the end still counts");

        var gadget = search("gadget 770", "pageSize", 100);
        assertEquals(gadgets.size(), gadget.body().path("total").asInt());
        assertEquals(gadgets, idsOf(gadget));
        assertEquals(gadgets.subList(5, 10), ids("770 gadget", "page", 2, "pageSize", 5));
        assertEquals(List.of(first + 10), ids("7704 77099"), "the goods with two words of the prefix");
    }

    private static List<Long> idsOf(CatalogApi.Resp resp) {
        List<Long> out = new ArrayList<>();
        resp.body().path("items").forEach(i -> out.add(i.path("id").asLong()));
        return out;
    }

    /** cjk is {@code n} distinct Han characters from {@code first} on. */
    private static String cjk(int first, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.appendCodePoint(first + i);
        }
        return s.toString();
    }

    @Test
    void aPastedCjkNameOf90DistinctCharacters_findsItsGoods() {
        // 89 pairs, each a term: one join per term went past the server's 61-table limit (a 500).
        String name = cjk(0x4E00, 90);
        long goods = create(name);
        long firstHalf = create(cjk(0x4E00, 45));
        assertEquals(List.of(goods), ids(name), "the rarest pairs are those only the whole name has");
        assertEquals(List.of(firstHalf, goods), ids(cjk(0x4E00, 45)));
    }

    @Test
    void aHundredOneCharacterTerms_areAnswered() {
        // Latin and Greek letters between Han characters: every character is a run, so a term of its own.
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            text.appendCodePoint(i < 26 ? 'a' + i : 0x3B1 + i - 26).appendCodePoint(0x4E00 + i);
        }
        String query = text.toString();
        assertEquals(100, query.length());
        assertEquals(100, Keywords.parse(query).terms().size());
        long all = create(query);
        create(query.substring(0, 60));
        assertEquals(List.of(all), ids(query));
        assertEquals(List.of(), ids(query.substring(0, 99) + "龍"), "a term no goods has");
    }

    /**
     * Two common words that never occur together: the walk stops after MAX_MISSES entries without a
     * match instead of reading the driver's whole list, and says its count is a lower bound. The
     * words' lists are written straight into the index (entries of goods ids with no goods row,
     * which a search only reaches through a match), 60,000 and 80,000 entries.
     */
    @Test
    void twoCommonWordsNeverTogether_stopAfterABoundedRead() throws Exception {
        long oldest = create("Alpha Omega Kettle"); // the one match, below every other entry
        String digits = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        CatalogDb.exec("INSERT INTO goods_word (word, goods_id) SELECT IF(i % 7 < 3, 'omega', 'alpha'), 1000000 + i"
                + " FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * h.d AS i FROM "
                + digits + " a, " + digits + " b, " + digits + " c, " + digits + " e, " + digits + " f, " + digits
                + " h) n WHERE i < 140000");
        CatalogDb.exec("UPDATE goods_word_stat SET n = n + 60000 WHERE word = 'omega'");
        CatalogDb.exec("UPDATE goods_word_stat SET n = n + 80000 WHERE word = 'alpha'");
        assertEquals(List.of(oldest), ids("alpha omega kettle"), "a rare word drives: exact");

        long before = handlerReads();
        var resp = search("alpha omega");
        long reads = handlerReads() - before;
        assertEquals(List.of(), idsOf(resp), "the match lies beyond the bound");
        assertEquals(0, resp.body().path("total").asInt());
        assertTrue(resp.body().path("totalEstimated").asBoolean(), "a lower bound: " + resp);
        // Each window is read twice (its bounds, then its entries) and each entry probes alpha once;
        // reading omega's whole list costs 60,000 entries and as many alpha lookups.
        assertTrue(reads < 5L * KeywordSearch.MAX_MISSES, "rows read by the server: " + reads);
        assertTrue(reads > KeywordSearch.MAX_MISSES, "the bound is what stopped it: " + reads);
    }

    /** handlerReads is the server's count of rows read through its storage engines so far. */
    private static long handlerReads() {
        return CatalogDb.longQuery("SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS"
                + " WHERE VARIABLE_NAME IN ('HANDLER_READ_FIRST', 'HANDLER_READ_KEY', 'HANDLER_READ_LAST',"
                + " 'HANDLER_READ_NEXT', 'HANDLER_READ_PREV', 'HANDLER_READ_RND', 'HANDLER_READ_RND_NEXT')");
    }

    @Test
    void keywordsCombineWithOtherFilters() {
        long hot = create("Acme Smart Lamp");
        create("Acme Smart Kettle");
        CatalogDb.exec("UPDATE goods SET is_hot = TRUE WHERE id = " + hot);
        assertEquals(List.of(hot), ids("smart", "isHot", true));
    }
}
