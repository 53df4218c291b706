package shop.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import shop.platform.error.InvalidInputException;

/**
 * CategoryTree is the whole category tree in memory (it is small: three levels of a few hundred
 * nodes at most) and its rules: a top-level category is level 1, a child is one level below its
 * parent, and nothing goes below level 3; a category cannot move under itself or its descendants,
 * and a move must keep its whole subtree within three levels.
 */
public final class CategoryTree {
    /** MAX_LEVEL is the deepest level. */
    public static final int MAX_LEVEL = 3;

    private final Map<Long, Category> byId = new LinkedHashMap<>();
    private final Map<Long, List<Category>> children = new LinkedHashMap<>();

    /** Builds the tree from every stored category. */
    public CategoryTree(List<Category> all) {
        for (Category c : all) {
            byId.put(c.id(), c);
        }
        for (Category c : all) {
            children.computeIfAbsent(c.parentId() == null ? 0L : c.parentId(), k -> new ArrayList<>()).add(c);
        }
        children.values().forEach(l -> l.sort(Comparator.comparingLong(Category::id)));
    }

    /** find returns a category. */
    public Optional<Category> find(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * levelUnder returns the level a category gets under a parent (null: top level); an unknown
     * parent or one at the deepest level is a 400 on {@code parentId}.
     */
    public int levelUnder(Long parentId) {
        if (parentId == null) {
            return 1;
        }
        Category parent = byId.get(parentId);
        if (parent == null) {
            throw new InvalidInputException("parentId", "no category with id " + parentId);
        }
        if (parent.level() >= MAX_LEVEL) {
            throw new InvalidInputException("parentId",
                    "category " + parentId + " is at level " + MAX_LEVEL + " and cannot have children");
        }
        return parent.level() + 1;
    }

    /**
     * relevel returns the new level of a category and of each of its descendants when it moves under
     * {@code newParentId}, or fails with a 400 when the move makes a cycle or goes below level 3.
     */
    public Map<Long, Integer> relevel(long id, Long newParentId) {
        if (newParentId != null && (newParentId == id || descendants(id).contains(newParentId))) {
            throw new InvalidInputException("parentId", "a category cannot move under itself or its descendants");
        }
        int level = newParentId == null ? 1 : levelUnder(newParentId);
        int height = height(id);
        if (level + height > MAX_LEVEL) {
            throw new InvalidInputException("parentId", "moving category " + id + " there would put its "
                    + "descendants below level " + MAX_LEVEL);
        }
        Map<Long, Integer> levels = new LinkedHashMap<>();
        assign(id, level, levels);
        return levels;
    }

    private void assign(long id, int level, Map<Long, Integer> levels) {
        levels.put(id, level);
        for (Category c : children.getOrDefault(id, List.of())) {
            assign(c.id(), level + 1, levels);
        }
    }

    /** height is how many levels hang below a category (0 for a leaf). */
    int height(long id) {
        int h = 0;
        for (Category c : children.getOrDefault(id, List.of())) {
            h = Math.max(h, 1 + height(c.id()));
        }
        return h;
    }

    /** descendants returns the ids of every category below one (not itself). */
    public Set<Long> descendants(long id) {
        Set<Long> out = new TreeSet<>();
        for (Category c : children.getOrDefault(id, List.of())) {
            out.add(c.id());
            out.addAll(descendants(c.id()));
        }
        return out;
    }

    /** hasChildren tells whether a category has any child. */
    public boolean hasChildren(long id) {
        return !children.getOrDefault(id, List.of()).isEmpty();
    }

    /** roots returns the whole tree as nested nodes, ordered by id at each level. */
    public List<CategoryNode> roots() {
        return children.getOrDefault(0L, List.of()).stream().map(this::subtree).toList();
    }

    /** withChildren returns one category with its direct children (whose own lists are empty). */
    public Optional<CategoryNode> withChildren(long id) {
        return find(id).map(c -> node(c, children.getOrDefault(id, List.of()).stream()
                .map(child -> node(child, List.of())).toList()));
    }

    private CategoryNode subtree(Category c) {
        return node(c, children.getOrDefault(c.id(), List.of()).stream().map(this::subtree).toList());
    }

    private static CategoryNode node(Category c, List<CategoryNode> kids) {
        return new CategoryNode(c.id(), c.name(), c.level(), c.parentId(), c.isTab(), kids);
    }
}
