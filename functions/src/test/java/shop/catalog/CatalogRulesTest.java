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
    void keywords_useFullTextForLongLatinWords_andAPrefixOtherwise() {
        Keywords k = Keywords.parse("  Wireless, PHONE x ");
        assertTrue(k.usesFullText());
        assertEquals("+wireless* +phone*", k.booleanQuery());
        assertEquals("+drop* +table*", Keywords.parse("drop\"table)--").booleanQuery(), "operators never reach MATCH");
        Keywords cjk = Keywords.parse("红富士");
        assertFalse(cjk.usesFullText());
        assertEquals("红富士%", cjk.likePattern());
        assertEquals("TV\\_4%%", Keywords.parse("TV_4%").likePattern().replace("\\%", "%"));
        assertFalse(Keywords.parse("tv").usesFullText());
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
