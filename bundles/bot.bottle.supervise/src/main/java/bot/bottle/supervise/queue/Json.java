package bot.bottle.supervise.queue;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One shared, strictly configured Jackson mapper and small typed accessors for hand-checked schemas. */
public final class Json {

    /** Shared mapper: duplicate keys are refused (a second "status" must not override the first). */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {
    }

    /** Parses text that must be one JSON object. */
    public static ObjectNode parseObject(String text) throws IOException {
        JsonNode node = MAPPER.readTree(text);
        if (node == null || !node.isObject()) {
            throw new IOException("not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A required string field. */
    public static String str(ObjectNode o, String key) throws IOException {
        JsonNode n = o.get(key);
        if (n == null || !n.isTextual()) {
            throw new IOException("field '" + key + "' must be a string");
        }
        return n.textValue();
    }

    /** An optional string field, "" when absent or null; wrong type is an error. */
    public static String optStr(ObjectNode o, String key) throws IOException {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new IOException("field '" + key + "' must be a string");
        }
        return n.textValue();
    }

    /** Pretty JSON with a trailing newline, as the seeds wrote queue files. */
    public static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compact JSON on one line. */
    public static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
