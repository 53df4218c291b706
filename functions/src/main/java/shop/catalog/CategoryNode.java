package shop.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * CategoryNode is a category as the API shows it, with its children (all descendants in the tree
 * view, the direct ones in the single-category view, where grandchildren lists are empty).
 */
public record CategoryNode(long id, String name, int level,
                           @JsonInclude(JsonInclude.Include.ALWAYS) Long parentId,
                           boolean isTab, List<CategoryNode> children) {
}
