package shop.platform.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.junit.jupiter.api.Test;

/** The shared mapper refuses what a lenient one would silently change. */
class JsonTest {
    record Body(String name, Integer count) {
    }

    @Test
    void readsWellTypedInput() throws Exception {
        assertEquals(new Body("a", 2), Json.MAPPER.readValue("{\"name\":\"a\",\"count\":2}", Body.class));
    }

    @Test
    void refusesNumbersAndBooleansWhereTextBelongs() {
        assertThrows(MismatchedInputException.class, () -> Json.MAPPER.readValue("{\"name\":12}", Body.class));
        assertThrows(MismatchedInputException.class, () -> Json.MAPPER.readValue("{\"name\":1.5}", Body.class));
        assertThrows(MismatchedInputException.class, () -> Json.MAPPER.readValue("{\"name\":true}", Body.class));
    }

    @Test
    void refusesTextAndFractionsWhereAWholeNumberBelongs() {
        assertThrows(MismatchedInputException.class, () -> Json.MAPPER.readValue("{\"count\":\"2\"}", Body.class));
        assertThrows(MismatchedInputException.class, () -> Json.MAPPER.readValue("{\"count\":2.5}", Body.class));
    }

    @Test
    void refusesUnknownFields() {
        assertThrows(UnrecognizedPropertyException.class, () -> Json.MAPPER.readValue("{\"nmae\":\"a\"}", Body.class));
    }
}
