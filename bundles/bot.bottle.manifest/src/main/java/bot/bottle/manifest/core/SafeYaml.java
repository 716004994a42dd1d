package bot.bottle.manifest.core;

import java.io.StringReader;
import java.util.IdentityHashMap;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Parses YAML to SnakeYAML's node graph (the compose API: nodes keep their line marks) and never
 * constructs Java objects, so no tag can instantiate a class. Limits make a hostile file fail fast:
 * size, nesting depth, aliases to collections, and the total number of nodes the graph expands to.
 */
final class SafeYaml {
    static final int MAX_CODE_POINTS = Frontmatter.MAX_BYTES;
    static final int MAX_DEPTH = 20;
    static final int MAX_COLLECTION_ALIASES = 10;
    /** Bound on nodes visited with aliases expanded: stops "billion laughs" even below the alias cap. */
    static final int MAX_EXPANDED_NODES = 20_000;

    private SafeYaml() {
    }

    static LoaderOptions options() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        o.setNestingDepthLimit(MAX_DEPTH);
        o.setCodePointLimit(MAX_CODE_POINTS);
        o.setAllowRecursiveKeys(false);
        o.setMergeOnCompose(false);
        o.setProcessComments(false);
        // compose() builds no objects, but should anything construct later it must refuse every
        // non-standard tag.
        o.setTagInspector(tag -> false);
        return o;
    }

    /**
     * Composes one document. Returns {@code null} for an empty document.
     *
     * @param lineOffset the file line of the first YAML line, to report file lines
     */
    static Node compose(String file, String yaml, int lineOffset) {
        LoaderOptions o = options();
        Node root;
        try {
            root = new Yaml(new SafeConstructor(o), new org.yaml.snakeyaml.representer.Representer(
                    new org.yaml.snakeyaml.DumperOptions()), new org.yaml.snakeyaml.DumperOptions(), o)
                    .compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = m == null ? 0 : m.getLine() + lineOffset;
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String ctx = e.getContext() != null ? e.getContext() + ": " : "";
            if (what != null && what.startsWith("Global tag is not allowed: ")) {
                // the tag inspector refused a class-naming tag (!!python/object, !!java...)
                throw new ManifestException(new Problem(file, line, "", "unsupported YAML tag "
                        + what.substring("Global tag is not allowed: ".length()).replace("tag:yaml.org,2002:", "!!")));
            }
            throw new ManifestException(new Problem(file, line, "",
                    "YAML syntax: " + oneLine(ctx + what)));
        } catch (YAMLException e) {
            throw new ManifestException(new Problem(file, 0, "", "YAML: " + oneLine(e.getMessage())));
        } catch (RuntimeException | StackOverflowError e) {
            // SnakeYAML's scanner has had crash bugs on malformed input; a crash is a refusal too.
            throw new ManifestException(new Problem(file, 0, "",
                    "YAML could not be parsed: " + e.getClass().getSimpleName()));
        }
        if (root != null) {
            checkGraph(file, root, lineOffset);
        }
        return root;
    }

    /** Refuses recursive aliases (the graph would be infinite) and graphs that expand too far. */
    private static void checkGraph(String file, Node root, int lineOffset) {
        Map<Node, Boolean> onPath = new IdentityHashMap<>();
        int[] count = {0};
        visit(file, root, onPath, count, lineOffset);
    }

    private static void visit(String file, Node n, Map<Node, Boolean> onPath, int[] count, int off) {
        if (++count[0] > MAX_EXPANDED_NODES) {
            throw new ManifestException(new Problem(file, 0, "",
                    "YAML expands to more than " + MAX_EXPANDED_NODES + " nodes (aliases?)"));
        }
        if (onPath.put(n, Boolean.TRUE) != null) {
            throw new ManifestException(new Problem(file, n.getStartMark().getLine() + off, "",
                    "recursive YAML alias"));
        }
        if (n instanceof SequenceNode s) {
            for (Node c : s.getValue()) {
                visit(file, c, onPath, count, off);
            }
        } else if (n instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                visit(file, t.getKeyNode(), onPath, count, off);
                visit(file, t.getValueNode(), onPath, count, off);
            }
        }
        onPath.remove(n);
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String r = s.replaceAll("\\s+", " ").strip();
        return r.length() > 200 ? r.substring(0, 200) + "..." : r;
    }
}
