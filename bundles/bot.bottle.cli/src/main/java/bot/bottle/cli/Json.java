package bot.bottle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Pretty, deterministic JSON for {@code --format=json}. */
final class Json {
    /** Created on first use: most runs print text, and Jackson costs a few hundred classes to load. */
    private static final class Holder {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    }

    private Json() {
    }

    static String write(Object value) {
        try {
            return Holder.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String format(String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new CommandFailed(2, "--format: expected text|json, got \"" + format + "\"");
        }
        return format;
    }
}
