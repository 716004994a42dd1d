package bot.bottle.manifest.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reads over a composed YAML node graph. Every read either returns a value or records a problem
 * naming the line and key path and returns {@code null}, so a whole file is checked in one pass.
 */
final class Walker {
    private static final Set<Tag> STANDARD = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL,
            Tag.TIMESTAMP, Tag.MAP, Tag.SEQ);

    /** A key and its value, with the key's node for the key's own line. */
    record Field(String key, Node keyNode, Node value, String path) {
    }

    final String file;
    final int offset;
    final Problems problems;

    Walker(String file, int offset, Problems problems) {
        this.file = file;
        this.offset = offset;
        this.problems = problems;
    }

    int line(Node n) {
        return n.getStartMark().getLine() + offset;
    }

    Loc loc(Node n, String path) {
        return new Loc(file, line(n), path);
    }

    void err(Node n, String path, String message) {
        problems.add(new Problem(file, line(n), path, message));
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    private boolean tagOk(Node n, String path) {
        if (!STANDARD.contains(n.getTag())) {
            err(n, path, "unsupported YAML tag " + n.getTag().getValue());
            return false;
        }
        return true;
    }

    /**
     * The fields of a mapping, in file order. Reports a non-mapping, non-string keys, merge keys,
     * duplicates, and keys outside {@code allowed} (a key in {@code refused} gets that message instead
     * of "unknown key"). Only allowed keys are returned.
     */
    Map<String, Field> fields(Node n, String path, List<String> allowed, Map<String, String> refused) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (!(n instanceof MappingNode m)) {
            err(n, path, "expected a mapping, got " + describe(n));
            return null;
        }
        Map<String, Field> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            if (k.getTag().equals(Tag.MERGE)) {
                err(k, path, "merge keys (<<) are not supported");
                continue;
            }
            if (!(k instanceof ScalarNode ks) || !k.getTag().equals(Tag.STR)) {
                err(k, path, "keys must be strings, got " + describe(k));
                continue;
            }
            String key = ks.getValue();
            String kp = child(path, key);
            Integer first = seen.putIfAbsent(key, line(k));
            if (first != null) {
                err(k, kp, "duplicate key (first at line " + first + ")");
                continue;
            }
            if (refused.containsKey(key)) {
                err(k, kp, refused.get(key));
                continue;
            }
            if (!allowed.contains(key)) {
                err(k, kp, "unknown key (expected one of: " + String.join(", ", allowed) + ")");
                continue;
            }
            out.put(key, new Field(key, k, t.getValueNode(), kp));
        }
        return out;
    }

    Map<String, Field> fields(Node n, String path, List<String> allowed) {
        return fields(n, path, allowed, Map.of());
    }

    /** The fields of a mapping whose keys are user-chosen names (env, repos): any key allowed. */
    List<Field> entries(Node n, String path) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (!(n instanceof MappingNode m)) {
            err(n, path, "expected a mapping, got " + describe(n));
            return null;
        }
        List<Field> out = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            if (k.getTag().equals(Tag.MERGE)) {
                err(k, path, "merge keys (<<) are not supported");
                continue;
            }
            if (!(k instanceof ScalarNode ks) || !k.getTag().equals(Tag.STR)) {
                err(k, path, "keys must be strings, got " + describe(k));
                continue;
            }
            String key = ks.getValue();
            Integer first = seen.putIfAbsent(key, line(k));
            if (first != null) {
                err(k, child(path, key), "duplicate key (first at line " + first + ")");
                continue;
            }
            out.add(new Field(key, k, t.getValueNode(), child(path, key)));
        }
        return out;
    }

    /** Reports a missing key (on the mapping's first line) when {@code key} is absent. */
    boolean require(Map<String, Field> fields, Node map, String path, String key) {
        if (fields.containsKey(key)) {
            return true;
        }
        err(map, child(path, key), "missing required key");
        return false;
    }

    /** A string; YAML numbers, booleans and null are refused (write them quoted). */
    String str(Node n, String path) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (n instanceof ScalarNode s && n.getTag().equals(Tag.STR)) {
            return s.getValue();
        }
        err(n, path, "expected a string, got " + describe(n));
        return null;
    }

    /** A non-empty string. */
    String nonEmpty(Node n, String path) {
        String s = str(n, path);
        if (s != null && s.isBlank()) {
            err(n, path, "must not be empty");
            return null;
        }
        return s;
    }

    /** A scalar of any plain type as its text (env values: {@code DEBUG: 1} is fine). */
    String scalarText(Node n, String path) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (n instanceof ScalarNode s && !n.getTag().equals(Tag.NULL)) {
            return s.getValue();
        }
        err(n, path, "expected a string, got " + describe(n));
        return null;
    }

    /** Exactly {@code true} or {@code false}: YAML 1.1's yes/no/on/off are refused as ambiguous. */
    Boolean bool(Node n, String path) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (n instanceof ScalarNode s && n.getTag().equals(Tag.BOOL)
                && (s.getValue().equals("true") || s.getValue().equals("false"))) {
            return Boolean.valueOf(s.getValue());
        }
        err(n, path, "expected true or false, got " + describe(n));
        return null;
    }

    /** One of a fixed set of words, compared on the raw text (so a plain {@code off} is "off"). */
    String oneOf(Node n, String path, List<String> values) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (n instanceof ScalarNode s && values.contains(s.getValue())
                && (n.getTag().equals(Tag.STR) || n.getTag().equals(Tag.BOOL))) {
            return s.getValue();
        }
        err(n, path, "expected " + String.join("|", values) + ", got " + describe(n));
        return null;
    }

    List<Node> list(Node n, String path) {
        if (!tagOk(n, path)) {
            return null;
        }
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        err(n, path, "expected a list, got " + describe(n));
        return null;
    }

    /** How a value is shown in a message: strings quoted, other scalars raw, collections by kind. */
    static String describe(Node n) {
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        ScalarNode s = (ScalarNode) n;
        String v = s.getValue();
        if (n.getTag().equals(Tag.NULL)) {
            return "null";
        }
        if (v.length() > 40) {
            v = v.substring(0, 40) + "...";
        }
        if (n.getTag().equals(Tag.STR)) {
            return quote(v);
        }
        return v;
    }

    static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
