package shop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import shop.platform.error.InvalidInputException;

/** Pure rules: tree levels and moves, keyword planning, paging limits, URLs. */
class CatalogRulesTest {
    // 1 ─ 2 ─ 3      4 ─ 5      6
    final CategoryTree tree = new CategoryTree(List.of(
            new Category(1, "a", null, 1, false), new Category(2, "b", 1L, 2, false), new Category(3, "c", 2L, 3, false),
            new Category(4, "d", null, 1, true), new Category(5, "e", 4L, 2, false), new Category(6, "f", null, 1, false)));

    @Test
    void levelUnder_followsTheParent_andRefusesLevel3AndUnknownParents() {
        assertEquals(1, tree.levelUnder(null));
        assertEquals(2, tree.levelUnder(1L));
        assertEquals(3, tree.levelUnder(2L));
        assertEquals("parentId", assertThrows(InvalidInputException.class, () -> tree.levelUnder(3L)).detail().split(":")[0]);
        assertThrows(InvalidInputException.class, () -> tree.levelUnder(99L));
    }

    @Test
    void relevel_movesWholeSubtrees_withinThreeLevels() {
        assertEquals(Map.of(4L, 2, 5L, 3), tree.relevel(4, 6L));
        assertEquals(Map.of(2L, 1, 3L, 2), tree.relevel(2, null));
        assertThrows(InvalidInputException.class, () -> tree.relevel(4, 2L), "5 would land on level 4");
        assertThrows(InvalidInputException.class, () -> tree.relevel(1, 3L), "cycle");
        assertThrows(InvalidInputException.class, () -> tree.relevel(1, 1L), "itself");
    }

    @Test
    void descendants_andTreeViews() {
        assertEquals(Set.of(2L, 3L), tree.descendants(1));
        assertEquals(3, tree.roots().size());
        assertEquals(3, tree.roots().getFirst().children().getFirst().children().getFirst().id());
        assertTrue(tree.withChildren(1).orElseThrow().children().getFirst().children().isEmpty());
    }

    @Test
    void keywords_splitIntoPrefixWords_wholeShortWords_andCjkPairs() {
        assertEquals(List.of(new Keywords.Term("wireless", true), new Keywords.Term("phone", true),
                new Keywords.Term("x", false)), Keywords.parse("  Wireless, PHONE x ").terms());
        assertEquals(List.of(new Keywords.Term("drop", true), new Keywords.Term("table", true)),
                Keywords.parse("drop\"table)--%_").terms(), "operators and wildcards are not words");
        assertEquals(List.of(new Keywords.Term("红富", false), new Keywords.Term("富士", false)),
                Keywords.parse("红富士").terms(), "a CJK run: its pairs");
        assertEquals(List.of(new Keywords.Term("果", false)), Keywords.parse("果").terms());
        assertEquals(List.of(new Keywords.Term("iphone", true), new Keywords.Term("手机", false)),
                Keywords.parse("iPhone手机").terms(), "CJK apart from latin letters");
        assertEquals(List.of(new Keywords.Term("cafe", true), new Keywords.Term("abc", true)),
                Keywords.parse("Café ＡＢＣ").terms(), "accents dropped, full-width folded");
        assertEquals(List.of(new Keywords.Term("tv", false), new Keywords.Term("4k", false)),
                Keywords.parse("TV 4K tv").terms(), "short words are whole words; repeats go");
        assertTrue(Keywords.parse(" -- ! ").matchesNothing());
        assertEquals(new java.util.TreeSet<>(List.of("红", "富", "士", "红富", "富士", "apple", "2kg")),
                Keywords.indexWords("红富士 Apple, 2kg"));
        assertEquals(java.util.Set.of("コーヒー".substring(0, 1), "ー", "ヒ", "コー", "ーヒ", "ヒー"),
                Keywords.indexWords("コーヒー"), "the long vowel mark stays in a katakana word");
    }

    @Test
    void pageRequest_defaultsAndCaps() {
        assertEquals(new PageRequest(1, 20), PageRequest.of(null, null, 20));
        assertEquals(40, PageRequest.of(3L, 20L, 20).offset());
        assertThrows(InvalidInputException.class, () -> PageRequest.of(0L, 20L, 20));
        assertThrows(InvalidInputException.class, () -> PageRequest.of(1L, 101L, 20));
        assertThrows(InvalidInputException.class, () -> PageRequest.of(501L, 20L, 20));
        assertEquals(9_980, PageRequest.of(500L, 20L, 20).offset());
    }

    @Test
    void urls_mustBeAbsoluteHttpOrHttps() {
        assertTrue(CatalogRules.isHttpUrl("https://img.example/a.png"));
        assertTrue(CatalogRules.isHttpUrl("HTTP://img.example/a.png"));
        assertFalse(CatalogRules.isHttpUrl("ftp://img.example/a.png"));
        assertFalse(CatalogRules.isHttpUrl("javascript:alert(1)"));
        assertFalse(CatalogRules.isHttpUrl("/relative.png"));
        assertFalse(CatalogRules.isHttpUrl("https:///nohost"));
    }
}
