package bot.bottle.dlp.detect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.dlp.engine.AhoCorasick;
import bot.bottle.dlp.engine.HitList;
import bot.bottle.dlp.rules.RulePack;

/**
 * The compiled known values: every value in its literal form and in base64 (standard and URL alphabet,
 * at each of the three byte alignments, so it is found inside a longer encoded blob), hex, URL encoding,
 * and percent / double-percent encoding of every byte. Two automata: one exact, one case-insensitive
 * (hex and percent escapes may be written in either case).
 *
 * <p>Never reveals a value: no accessor returns one and {@link #toString()} shows only the count.
 */
public final class KnownSecretsImpl implements KnownSecrets {
    /** Shorter values would match ordinary text; they are refused, naming the secret, never its value. */
    public static final int MIN_LENGTH = 8;
    public static final String CANARY = "canary";

    private final List<String> names;      // per value: rule name ("canary" or "known-secret:<NAME>")
    private final AhoCorasick matcher;     // one case-insensitive pass over all variants
    private final int[] owner;
    private final String[] exactCase;      // per pattern: the exact text to verify, or null (case-free)
    private final int canaryIndex;
    private final List<String> patterns;   // the automaton's patterns, in order
    /** {pack, automaton of the pack's keywords followed by these patterns}: the last pack asked for. */
    private volatile Object[] merged;

    /**
     * @throws IllegalArgumentException when a value is shorter than {@link #MIN_LENGTH} (the message names
     *                                  the secret, never the value)
     */
    public KnownSecretsImpl(Map<String, String> named, String canary) {
        Map<String, String> values = new LinkedHashMap<>();
        if (named != null) {
            named.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    values.put(k, v);
                }
            });
        }
        List<String> names = new ArrayList<>();
        List<String> exactPatterns = new ArrayList<>();
        List<Integer> exactOwners = new ArrayList<>();
        List<String> foldedPatterns = new ArrayList<>();
        List<Integer> foldedOwners = new ArrayList<>();
        int canaryIdx = -1;
        List<Map.Entry<String, String>> all = new ArrayList<>(values.entrySet());
        if (canary != null && !canary.isEmpty()) {
            all.add(Map.entry("", canary));
        }
        for (Map.Entry<String, String> e : all) {
            String value = e.getValue();
            boolean isCanary = e.getKey().isEmpty();
            String label = isCanary ? "the canary" : "known secret " + e.getKey();
            if (value.length() < MIN_LENGTH) {
                throw new IllegalArgumentException(label + " is shorter than " + MIN_LENGTH
                        + " characters; refusing to match it (it would match ordinary text)");
            }
            int owner = names.size();
            names.add(isCanary ? CANARY : "known-secret:" + e.getKey());
            if (isCanary) {
                canaryIdx = owner;
            }
            Set<String> ex = new LinkedHashSet<>();
            Set<String> fo = new LinkedHashSet<>();
            variants(value, ex, fo);
            for (String p : ex) {
                exactPatterns.add(p);
                exactOwners.add(owner);
            }
            for (String p : fo) {
                foldedPatterns.add(p);
                foldedOwners.add(owner);
            }
        }
        this.names = List.copyOf(names);
        this.canaryIndex = canaryIdx;
        List<String> patterns = new ArrayList<>(exactPatterns);
        patterns.addAll(foldedPatterns);
        this.matcher = patterns.isEmpty() ? null : new AhoCorasick(patterns, true);
        this.patterns = List.copyOf(patterns);
        this.owner = new int[patterns.size()];
        this.exactCase = new String[patterns.size()];
        for (int k = 0; k < patterns.size(); k++) {
            boolean exactOne = k < exactPatterns.size();
            owner[k] = exactOne ? exactOwners.get(k) : foldedOwners.get(k - exactPatterns.size());
            exactCase[k] = exactOne ? patterns.get(k) : null;
        }
    }

    static void variants(String value, Set<String> exact, Set<String> folded) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        exact.add(value);
        for (int shift = 0; shift < 3; shift++) {
            String core = base64Core(bytes, shift);
            if (core.length() >= MIN_LENGTH) {
                exact.add(core);
                exact.add(core.replace('+', '-').replace('/', '_'));
            }
        }
        String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
        if (!urlEncoded.equals(value)) {
            folded.add(urlEncoded.toLowerCase(Locale.ROOT));
        }
        StringBuilder hex = new StringBuilder();
        StringBuilder pct = new StringBuilder();
        StringBuilder pct2 = new StringBuilder();
        for (byte b : bytes) {
            String h = String.format("%02x", b & 0xff);
            hex.append(h);
            pct.append('%').append(h);
            pct2.append("%25").append(h);
        }
        folded.add(hex.toString());
        folded.add(pct.toString());
        folded.add(pct2.toString());
    }

    /**
     * The part of base64(x + value + y) that depends only on {@code value} when the value starts
     * {@code shift} bytes into a 3-byte group: leading and trailing chars mixed with unknown
     * neighbouring bytes are dropped.
     */
    static String base64Core(byte[] value, int shift) {
        byte[] padded = new byte[shift + value.length];
        System.arraycopy(value, 0, padded, shift, value.length);
        String enc = Base64.getEncoder().withoutPadding().encodeToString(padded);
        int drop = shift == 0 ? 0 : shift == 1 ? 2 : 3;
        int total = shift + value.length;
        int tailDrop = total % 3 == 0 ? 0 : 1;
        if (enc.length() - tailDrop <= drop) {
            return "";
        }
        return enc.substring(drop, enc.length() - tailDrop);
    }

    @Override
    public int size() {
        return names.size();
    }

    boolean isCanary(int owner) {
        return owner == canaryIndex;
    }

    String ruleOf(int owner) {
        return names.get(owner);
    }

    /** Every occurrence: {owner, start, end}. */
    List<int[]> find(CharSequence text) {
        List<int[]> out = new ArrayList<>();
        if (matcher == null) {
            return out;
        }
        String t = text.toString();
        matcher.scan(t, (p, end) -> {
            int start = end - matcher.patternLength(p);
            if (exactCase[p] == null || t.startsWith(exactCase[p], start)) {
                out.add(new int[] {owner[p], start, end});
            }
        });
        return out;
    }

    /** Length of the longest value variant without {@code c} (0 when there is none). */
    public int maxLengthWithout(char c) {
        int max = 0;
        for (String p : patterns) {
            if (p.indexOf(c) < 0) {
                max = Math.max(max, p.length());
            }
        }
        return max;
    }

    /** The automaton of all value variants (null when there are none); pattern k is variant k. */
    public AhoCorasick matcher() {
        return matcher;
    }

    /**
     * One case-insensitive automaton over the pack's keywords (pattern indexes below the keyword count)
     * followed by every value variant, so the pattern rules and the known values share a pass over each
     * view. Built on first use and kept for the last pack (the engine's pack rarely changes).
     */
    public AhoCorasick mergedWith(RulePack pack) {
        Object[] m = merged;
        if (m != null && m[0] == pack) {
            return (AhoCorasick) m[1];
        }
        List<String> all = new ArrayList<>(pack.keywordList());
        all.addAll(patterns);
        AhoCorasick ac = all.isEmpty() ? null : new AhoCorasick(all, true);
        merged = new Object[] {pack, ac};
        return ac;
    }

    /**
     * The occurrences among the hits of an automaton pass over {@code text} whose patterns
     * {@code offset ...} are this matcher's patterns in order: {owner, start, end}.
     */
    List<int[]> find(String text, HitList hits, int offset) {
        List<int[]> out = new ArrayList<>();
        int count = patterns.size();
        for (int h = 0, n = hits.size(); h < n; h++) {
            int p = hits.pattern(h) - offset;
            if (p < 0 || p >= count) {
                continue;
            }
            int end = hits.end(h);
            int start = end - patterns.get(p).length();
            if (exactCase[p] == null || text.startsWith(exactCase[p], start)) {
                out.add(new int[] {owner[p], start, end});
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "KnownSecrets[" + names.size() + " values]";
    }
}
