package bot.bottle.dlp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.engine.DlpEngine;
import bot.bottle.dlp.http.HttpMessage;
import bot.bottle.dlp.rules.RuleLoadException;
import bot.bottle.dlp.rules.RulePack;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The core of {@code dlp:scan}, plain Java: scans files (or stdin) with the given detectors, prints
 * findings per input (name, detector, rule, surface, offsets, line, severity, redacted excerpt), and
 * ends with {@link DlpCommandException} status 1 when anything was found. Never prints a matched value:
 * excerpts are redacted with every finding of their surface before printing.
 */
public final class ScanCommand {
    /** Options of one run. {@code files} empty = stdin. */
    public record Options(String format, Direction direction, boolean http, Path knownSecrets, String canary, Path rules,
                          List<String> files) {
    }

    private static final int EXCERPT = 24;

    private ScanCommand() {
    }

    public static void run(Options o, Map<String, DlpDetector> detectors, InputStream stdin, PrintStream out) {
        boolean json = "json".equalsIgnoreCase(o.format());
        if (!json && !"text".equalsIgnoreCase(o.format())) {
            throw new DlpCommandException(DlpCommandException.ERROR, "--format must be text or json");
        }
        Map<String, DlpDetector> active = new LinkedHashMap<>(detectors);
        List<String> skipped = List.of();
        if (o.rules() != null) {
            try {
                RulePack pack = RulePack.loadForeign(Files.readString(o.rules(), StandardCharsets.UTF_8), o.rules().toString());
                active.put(TokenPatternDetector.ID, new TokenPatternDetector(pack));
                skipped = pack.skipped();
            } catch (IOException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, "cannot read rules " + o.rules());
            } catch (RuleLoadException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, e.getMessage());
            }
        }
        KnownSecrets known = knownSecrets(o);
        DlpEngine engine = new DlpEngine(active);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode inputsJson = root.putArray("inputs");
        if (!skipped.isEmpty()) {
            ArrayNode s = root.putArray("skippedRules");
            skipped.forEach(s::add);
            if (!json) {
                skipped.forEach(x -> out.println("rules: skipped " + x));
            }
        }
        List<String> names = o.files().isEmpty() ? List.of("-") : o.files();
        int total = 0;
        int withFindings = 0;
        for (String name : names) {
            byte[] raw;
            try {
                raw = name.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(name));
            } catch (IOException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, "cannot read " + name);
            }
            List<ScanInput> inputs;
            if (o.http()) {
                try {
                    inputs = HttpMessage.parse(raw, o.direction(), "");
                } catch (HttpMessage.Refused e) {
                    throw new DlpCommandException(DlpCommandException.ERROR, name + ": " + e.getMessage());
                }
            } else {
                inputs = List.of(new ScanInput(o.direction(), "", "file:" + name, new String(raw, StandardCharsets.UTF_8)));
            }
            List<Finding> findings;
            try {
                findings = engine.scan(inputs, Set.of(), known);
            } catch (DlpException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, name + ": " + e.getMessage());
            }
            ObjectNode in = inputsJson.addObject();
            in.put("name", name);
            ArrayNode fj = in.putArray("findings");
            for (Finding f : findings) {
                CharSequence text = textOf(inputs, f.surface());
                List<Finding> sameSurface = findings.stream().filter(x -> x.surface().equals(f.surface())).toList();
                String excerpt = excerpt(text, f, sameSurface);
                int line = lineOf(text, f.start());
                if (json) {
                    ObjectNode n = fj.addObject();
                    n.put("detector", f.detector());
                    n.put("rule", f.rule());
                    n.put("surface", f.surface());
                    n.put("start", f.start());
                    n.put("end", f.end());
                    n.put("line", line);
                    n.put("severity", f.severity().name());
                    n.put("excerpt", excerpt);
                } else {
                    out.println(name + ": " + f.severity() + " " + f.detector() + "/" + f.rule() + " in " + f.surface()
                            + " [" + f.start() + ".." + f.end() + "] line " + line + ": " + excerpt);
                }
            }
            total += findings.size();
            if (!findings.isEmpty()) {
                withFindings++;
            }
        }
        root.put("findings", total);
        if (json) {
            try {
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } catch (IOException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, "cannot write JSON");
            }
        } else if (total == 0) {
            out.println("no findings in " + names.size() + " input(s)");
        }
        out.flush();
        if (total > 0) {
            throw new DlpCommandException(DlpCommandException.FOUND,
                    total + " finding(s) in " + withFindings + " of " + names.size() + " input(s)");
        }
    }

    private static KnownSecrets knownSecrets(Options o) {
        Map<String, String> named = new LinkedHashMap<>();
        if (o.knownSecrets() != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(o.knownSecrets(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DlpCommandException(DlpCommandException.ERROR, "cannot read known secrets " + o.knownSecrets());
            }
            for (int i = 0; i < lines.size(); i++) {
                String v = lines.get(i).strip();
                if (!v.isEmpty()) {
                    named.put(o.knownSecrets().getFileName() + ":" + (i + 1), v);
                }
            }
        }
        String canary = o.canary() == null ? "" : o.canary();
        if (named.isEmpty() && canary.isEmpty()) {
            return null;
        }
        try {
            return new KnownSecretsImpl(named, canary);
        } catch (IllegalArgumentException e) {
            throw new DlpCommandException(DlpCommandException.ERROR, e.getMessage());
        }
    }

    private static CharSequence textOf(List<ScanInput> inputs, String surface) {
        for (ScanInput in : inputs) {
            if (in.surface().equals(surface)) {
                return in.text();
            }
        }
        return "";
    }

    /** The finding's neighbourhood with every finding of the surface redacted, on one printable line. */
    static String excerpt(CharSequence text, Finding f, List<Finding> sameSurface) {
        int s = Math.max(0, f.start() - EXCERPT);
        int e = Math.min(text.length(), f.end() + EXCERPT);
        // widen to whole findings so no partial secret shows at the edges
        for (Finding x : sameSurface) {
            if (x.start() < s && x.end() > s) {
                s = x.start();
            }
            if (x.start() < e && x.end() > e) {
                e = Math.min(text.length(), x.end());
            }
        }
        List<Finding> local = new ArrayList<>();
        for (Finding x : sameSurface) {
            if (x.end() > s && x.start() < e) {
                local.add(new Finding(x.detector(), x.rule(), x.surface(), Math.max(s, x.start()) - s,
                        Math.min(e, x.end()) - s, x.severity()));
            }
        }
        String window = DlpEngine.redact(text.subSequence(s, e), local);
        StringBuilder sb = new StringBuilder(window.length());
        for (int i = 0; i < window.length(); i++) {
            char c = window.charAt(i);
            // no control, bidi or invisible characters on an operator's terminal (SECURITY-NOTES 14)
            sb.append(c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT ? ' ' : c);
        }
        return sb.toString();
    }

    private static int lineOf(CharSequence text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    static Direction direction(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "outbound" -> Direction.OUTBOUND;
            case "inbound" -> Direction.INBOUND;
            default -> throw new DlpCommandException(DlpCommandException.ERROR, "--direction must be outbound or inbound");
        };
    }
}
