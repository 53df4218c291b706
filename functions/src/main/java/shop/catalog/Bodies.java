package shop.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;
import shop.platform.error.InvalidInputException;
import shop.platform.http.ApiRequest;

/**
 * Bodies reads a request body into one of the catalog's input records, first refusing numbers or
 * booleans where the record wants text: the shared mapper coerces {@code 12} to {@code "12"} for a
 * String field, which would let {@code {"name": 12}} through.
 */
final class Bodies {
    private Bodies() {
    }

    static <T extends Record> T read(ApiRequest request, Class<T> type) {
        JsonNode tree = request.bodyTree();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonNode value = tree.get(c.getName());
            if (value == null || value.isNull()) {
                continue;
            }
            if (c.getType() == String.class && !value.isTextual()) {
                throw new InvalidInputException(c.getName(), "has the wrong type");
            }
            if (c.getType() == List.class && c.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] == String.class && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    if (!value.get(i).isTextual()) {
                        throw new InvalidInputException(c.getName() + "[" + i + "]", "has the wrong type");
                    }
                }
            }
        }
        return request.body(type);
    }
}
