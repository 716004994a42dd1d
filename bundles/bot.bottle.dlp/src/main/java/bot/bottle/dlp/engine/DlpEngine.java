package bot.bottle.dlp.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.KnownSecretsDetector;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.detect.WantsRawText;

/**
 * The scanning core, plain Java: normalises every input into views (see {@link Normaliser}), runs the
 * selected detectors over each view and maps their findings back to spans of the original text. A
 * second pass joins the inputs of one exchange (and the string values of JSON bodies) so a value split
 * across headers, fields or frames is still found.
 *
 * <p>Fails closed: a detector that throws, returns an impossible span, or is selected but missing, and
 * any scan limit, raise {@link DlpException}. Exception messages name the detector and the kind of
 * failure, never content.
 *
 * <p>Immutable and thread-safe: the DS component builds a new engine whenever detectors come or go.
 */
public final class DlpEngine {
    /** Largest single input (chars) the engine accepts; larger input is refused, never passed unscanned. */
    public static final int MAX_INPUT_CHARS = 64 * 1024 * 1024;
    /** The joined pass runs every detector only while the joined text is at most this long. */
    static final int JOINED_PATTERN_LIMIT = 256 * 1024;

    private final Map<String, DlpDetector> detectors;
    private final Normaliser normaliser = new Normaliser();
    private final boolean shared;
    private final List<Map.Entry<String, DlpDetector>> byId; // every detector, ordered by id

    public DlpEngine(Map<String, DlpDetector> detectors) {
        this(detectors, true);
    }

    /**
     * @param shared whether the built-in token_patterns and known_secrets detectors share one automaton
     *               pass per view (the normal case); false runs every detector through its public
     *               {@code scan} on its own, the reference the tests compare the shared pass with
     */
    DlpEngine(Map<String, DlpDetector> detectors, boolean shared) {
        this.detectors = Map.copyOf(detectors);
        this.shared = shared;
        this.byId = List.copyOf(new java.util.TreeMap<>(detectors).entrySet());
    }

    public Map<String, DlpDetector> detectors() {
        return detectors;
    }

    public List<Finding> scan(List<ScanInput> inputs, Set<String> selected, KnownSecrets known) throws DlpException {
        KnownSecretsImpl values = null;
        if (known != null) {
            if (!(known instanceof KnownSecretsImpl)) {
                throw new DlpException("known secrets were not compiled by this DLP engine");
            }
            values = (KnownSecretsImpl) known;
        }
        Set<Finding> out = new LinkedHashSet<>();
        List<Piece> pieces = new ArrayList<>();
        Map<Direction, List<Map.Entry<String, DlpDetector>>> byDirection = new LinkedHashMap<>();
        for (ScanInput input : inputs) {
            List<Map.Entry<String, DlpDetector>> run = byDirection.computeIfAbsent(input.direction(),
                    d -> resolveUnchecked(selected, d));
            if (run == null) {
                resolve(selected, input.direction()); // throws with the missing detector's name
            }
            if (input.text().length() > MAX_INPUT_CHARS) {
                throw new DlpException("input " + input.surface() + " is larger than the scan limit ("
                        + MAX_INPUT_CHARS + " chars)");
            }
            String original = input.text().toString();
            TextView base = TextView.identity(original);
            String surface = input.surface();
            if (surface.startsWith("header:")) {
                // The header name is context for rules like "X-Amz-Secret-Key: <40 chars>".
                String name = surface.substring("header:".length());
                int hash = name.indexOf('#');
                base = TextView.withContextPrefix((hash < 0 ? name : name.substring(0, hash)) + ": ", original);
            }
            List<TextView> views;
            try {
                views = normaliser.views(base);
            } catch (ScanLimitException e) {
                throw new DlpException("input " + input.surface() + ": " + e.getMessage());
            }
            Shared sh = shared(run, values);
            HitList canonicalHits = null;
            if (sh != null) {
                for (TextView view : views) {
                    HitList h = sh.scan(input.surface(), view, values, true, out);
                    if (canonicalHits == null) {
                        canonicalHits = h; // the joined pass takes the hits inside pieces from here
                    }
                }
            }
            for (Map.Entry<String, DlpDetector> d : run) {
                boolean inShared = sh != null && sh.covers(d.getValue());
                if (!inShared) {
                    for (TextView view : views) {
                        runDetector(d.getKey(), d.getValue(), input, view, values, out);
                    }
                }
                if (d.getValue() instanceof WantsRawText w && !views.get(0).text().equals(base.text())
                        && w.wantsRaw(base.text())) {
                    runDetector(d.getKey(), d.getValue(), input, base, values, out);
                }
            }
            addPieces(input, views.get(0), canonicalHits, base.text().length() - original.length(), pieces);
        }
        if (pieces.size() > 1) {
            joined(inputs, pieces, selected, values, out);
        }
        List<Finding> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparing(Finding::surface).thenComparingInt(Finding::start)
                .thenComparingInt(Finding::end).thenComparing(Finding::rule));
        return sorted;
    }

    private void runDetector(String id, DlpDetector detector, ScanInput input, TextView view,
                             KnownSecretsImpl values, Set<Finding> out) throws DlpException {
        ScanInput viewInput = new ScanInput(input.direction(), input.host(), input.surface(), view.text());
        List<Finding> found;
        try {
            if (detector instanceof KnownSecretsDetector k) {
                found = k.scan(viewInput, values);
            } else {
                found = detector.scan(viewInput);
            }
        } catch (RuntimeException | LinkageError e) {
            // Only the exception type: a detector's message could quote the content it scanned.
            throw new DlpException("detector " + id + " failed (" + e.getClass().getName() + ")");
        }
        if (found == null) {
            throw new DlpException("detector " + id + " returned null");
        }
        for (Finding f : found) {
            if (f.end() > view.length()) {
                throw new DlpException("detector " + id + " reported a span outside its input");
            }
            int[] span = view.originalSpan(f.start(), f.end());
            out.add(new Finding(id, f.rule(), input.surface(), span[0], span[1], f.severity()));
        }
    }

    private List<Map.Entry<String, DlpDetector>> resolveUnchecked(Set<String> selected, Direction direction) {
        try {
            return resolve(selected, direction);
        } catch (DlpException e) {
            return null;
        }
    }

    private List<Map.Entry<String, DlpDetector>> resolve(Set<String> selected, Direction direction) throws DlpException {
        List<Map.Entry<String, DlpDetector>> run = new ArrayList<>();
        if (selected == null || selected.isEmpty()) {
            for (Map.Entry<String, DlpDetector> e : byId) {
                boolean applies;
                try {
                    applies = e.getValue().appliesTo(direction);
                } catch (RuntimeException ex) {
                    throw new DlpException("detector " + e.getKey() + " failed (" + ex.getClass().getName() + ")");
                }
                if (applies) {
                    run.add(e);
                }
            }
            return run;
        }
        for (String id : selected.size() == 1 ? selected : new java.util.TreeSet<>(selected)) {
            DlpDetector d = detectors.get(id);
            if (d == null) {
                throw new DlpException("detector " + id + " is selected but not available");
            }
            run.add(Map.entry(id, d));
        }
        return run;
    }

    // ---- split values: the joined pass -----------------------------------------------------------

    /** A piece of canonical text (a whole surface, or one JSON string value) in the joined text. */
    private record Piece(ScanInput input, TextView view, int from, int to, HitList hits) {
    }

    private static void addPieces(ScanInput input, TextView canonical, HitList hits, int prefix, List<Piece> pieces) {
        String t = canonical.text();
        List<int[]> values = JsonStrings.values(t);
        if (values == null) {
            // a header's name prefix is context, not part of the value that could be split
            int from = prefix > 0 && canonical.originalSpan(0, Math.min(prefix, t.length()))[1] == 0 ? prefix : 0;
            pieces.add(new Piece(input, canonical, Math.min(from, t.length()), t.length(), hits));
            return;
        }
        if (pieces instanceof ArrayList<Piece> a) {
            a.ensureCapacity(pieces.size() + values.size());
        }
        for (int[] v : values) {
            pieces.add(new Piece(input, canonical, v[0], v[1], hits));
        }
    }

    /** The joined text of the parts {piece, from, to, joinedStart}, built only when something needs it. */
    private static String joinedText(List<int[]> parts, List<Piece> pieces, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int[] part : parts) {
            while (sb.length() < part[3]) {
                sb.append('\0'); // between the two ends of a long piece
            }
            sb.append(pieces.get(part[0]).view().text(), part[1], part[2]);
        }
        return sb.toString();
    }

    /** Chars kept at each end of a long piece in the joined text: a split value sits at a seam. */
    static final int SEAM = 256;

    private void joined(List<ScanInput> inputs, List<Piece> pieces, Set<String> selected, KnownSecretsImpl values,
                        Set<Finding> out) throws DlpException {
        // The joined text holds every seam between consecutive pieces: short pieces whole, long ones as
        // their first and last SEAM chars with a NUL between (no rule or known value matches across NUL).
        List<int[]> parts = new ArrayList<>(); // {piece index, from, to, joinedStart}
        int length = 0;
        for (int k = 0; k < pieces.size(); k++) {
            Piece p = pieces.get(k);
            int len = p.to() - p.from();
            if (len <= 2 * SEAM) {
                parts.add(new int[] {k, p.from(), p.to(), length});
                length += len;
            } else {
                parts.add(new int[] {k, p.from(), p.from() + SEAM, length});
                length += SEAM + 1; // and a NUL
                parts.add(new int[] {k, p.to() - SEAM, p.to(), length});
                length += SEAM;
            }
        }
        String joined = null;
        Direction direction = inputs.get(0).direction();
        List<Map.Entry<String, DlpDetector>> run = resolve(selected, direction);
        boolean patterns = length <= JOINED_PATTERN_LIMIT;
        Shared sh = shared(run, values);
        if (sh != null) {
            List<Finding> found = new ArrayList<>();
            if (!sh.seams(pieces, parts, length, values, patterns, found)) {
                joined = joinedText(parts, pieces, length);
                boolean ascii = true;
                for (Piece p : pieces) {
                    ascii &= p.view().isAscii();
                }
                TextView jv = TextView.identity(joined);
                if (ascii) {
                    jv.knownAscii();
                }
                sh.scan("joined", jv, values, patterns, found);
            }
            spread(found, parts, pieces, out);
        }
        for (Map.Entry<String, DlpDetector> d : run) {
            if (sh != null && sh.covers(d.getValue())) {
                continue;
            }
            boolean known = d.getValue() instanceof KnownSecretsDetector;
            if (!known && !patterns) {
                continue;
            }
            if (joined == null) {
                joined = joinedText(parts, pieces, length);
            }
            ScanInput in = new ScanInput(direction, inputs.get(0).host(), "joined", joined);
            List<Finding> found;
            try {
                found = known ? ((KnownSecretsDetector) d.getValue()).scan(in, values) : d.getValue().scan(in);
            } catch (RuntimeException | LinkageError e) {
                throw new DlpException("detector " + d.getKey() + " failed (" + e.getClass().getName() + ")");
            }
            List<Finding> named = new ArrayList<>(found.size());
            for (Finding f : found) {
                named.add(new Finding(d.getKey(), f.rule(), f.surface(), f.start(), f.end(), f.severity()));
            }
            spread(named, parts, pieces, out);
        }
    }

    /** Reports each joined-text finding that spans two or more pieces on every piece it covers. */
    private static void spread(List<Finding> found, List<int[]> parts, List<Piece> pieces, Set<Finding> out) {
            for (Finding f : found) {
                List<int[]> touched = new ArrayList<>();
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                for (int[] part : parts) {
                    int ps = part[3];
                    int pe = ps + (part[2] - part[1]);
                    if (f.start() < pe && f.end() > ps) {
                        touched.add(part);
                        distinct.add(part[0]);
                    }
                }
                if (distinct.size() < 2) {
                    continue; // inside one piece: already found by the per-input pass
                }
                for (int[] part : touched) {
                    Piece p = pieces.get(part[0]);
                    int ps = part[3];
                    int localStart = Math.max(f.start(), ps) - ps + part[1];
                    int localEnd = Math.min(f.end(), ps + (part[2] - part[1])) - ps + part[1];
                    int[] span = p.view().originalSpan(localStart, localEnd);
                    out.add(new Finding(f.detector(), f.rule(), p.input().surface(), span[0], span[1], f.severity()));
                }
            }
    }

    // ---- the shared automaton pass of the built-in detectors -------------------------------------

    /** The selected built-in detectors whose automata are merged, or null when neither is selected. */
    private Shared shared(List<Map.Entry<String, DlpDetector>> run, KnownSecretsImpl values) {
        if (!shared) {
            return null;
        }
        String tpId = null;
        TokenPatternDetector tp = null;
        String ksId = null;
        KnownSecretsDetector ks = null;
        for (Map.Entry<String, DlpDetector> d : run) {
            if (d.getValue() instanceof TokenPatternDetector t && tp == null) {
                tpId = d.getKey();
                tp = t;
            } else if (d.getValue() instanceof KnownSecretsDetector k && ks == null) {
                ksId = d.getKey();
                ks = k;
            }
        }
        if (tp == null && ks == null) {
            return null;
        }
        return new Shared(tpId, tp, ksId, ks, values);
    }

    /**
     * token_patterns and known_secrets over one view with one automaton pass: the rule keywords followed
     * by every known value variant. Findings are exactly those of the detectors' own {@code scan}.
     */
    private static final class Shared {
        private final String tpId;
        private final TokenPatternDetector tp;
        private final String ksId;
        private final KnownSecretsDetector ks;
        private final AhoCorasick both;      // keywords then values, or null when there is neither
        private final AhoCorasick keywords;  // the pack's own automaton, for texts past the pattern limit
        private final int offset;            // index of the first value pattern in `both`

        Shared(String tpId, TokenPatternDetector tp, String ksId, KnownSecretsDetector ks, KnownSecretsImpl values) {
            this.tpId = tpId;
            this.tp = tp;
            this.ksId = ksId;
            this.ks = ks;
            boolean anyValues = ks != null && values != null && values.size() > 0;
            keywords = tp == null ? null : tp.pack().keywords();
            if (tp != null && anyValues) {
                both = values.mergedWith(tp.pack());
                offset = tp.pack().keywordList().size();
            } else if (tp != null) {
                both = keywords;
                offset = Integer.MAX_VALUE;
            } else {
                both = anyValues ? values.matcher() : null;
                offset = 0;
            }
        }

        boolean covers(DlpDetector d) {
            return d == tp || d == ks;
        }

        /** Scans one view; returns its automaton hits (a new list per call). */
        HitList scan(String surface, TextView view, KnownSecretsImpl values, boolean patterns, Collection<Finding> out)
                throws DlpException {
            String text = view.text();
            HitList hits = new HitList();
            boolean values0 = ks != null && values != null && values.size() > 0;
            try {
                AhoCorasick ac = values0 ? both : patterns ? keywords : null;
                if (ac != null) {
                    ac.scan(text, view.asciiBytes(), 0, text.length(), hits);
                }
                hits.source(ac);
            } catch (RuntimeException | LinkageError e) {
                throw new DlpException("detector " + (tp != null ? tpId : ksId) + " failed (" + e.getClass().getName() + ")");
            }
            if (tp != null && patterns) {
                List<Finding> found;
                try {
                    found = tp.scan(surface, text, hits);
                } catch (RuntimeException | LinkageError e) {
                    throw new DlpException("detector " + tpId + " failed (" + e.getClass().getName() + ")");
                }
                add(tpId, found, view, surface, out);
            }
            if (values0) {
                List<Finding> found;
                try {
                    found = ks.scan(surface, text, hits, offset, values);
                } catch (RuntimeException | LinkageError e) {
                    throw new DlpException("detector " + ksId + " failed (" + e.getClass().getName() + ")");
                }
                add(ksId, found, view, surface, out);
            }
            return hits;
        }

        /**
         * The joined pass without the joined text: a finding of the joined pass must span two pieces,
         * so a known value (or keyword) must cross a seam between parts, and lies within the longest
         * pattern's length of it. Only those windows are scanned; the keyword hits inside parts, which
         * decide whether and where the pattern rules run, come from each piece's own canonical view
         * pass. The joined text is built only when a pattern rule has a keyword in it. Exactly the
         * findings of scanning the whole joined text; returns false (caller scans it whole) when a
         * piece holds '%' (percent-encoded value variants are long), or a view was not scanned here.
         */
        boolean seams(List<Piece> pieces, List<int[]> parts, int length, KnownSecretsImpl values, boolean patterns,
                      List<Finding> out) throws DlpException {
            boolean values0 = ks != null && values != null && values.size() > 0;
            AhoCorasick ac = values0 ? both : patterns ? keywords : null;
            if (tp != null && patterns && tp.pack().noKeywordRules().length > 0) {
                return false; // rules without keywords run on the whole text
            }
            if (ac == null) {
                return true;
            }
            boolean ascii = true;
            TextView last = null;
            boolean lastHasPercent = false;
            for (Piece p : pieces) {
                if (p.hits() == null || p.hits().source() != ac) {
                    return false; // its view was scanned with another automaton (another direction's detectors)
                }
                if (p.view() != last) { // consecutive pieces share their view
                    last = p.view();
                    lastHasPercent = last.text().indexOf('%') >= 0;
                    ascii &= last.isAscii();
                }
                if (lastHasPercent) {
                    String t = p.view().text();
                    for (int i = p.from(); i < p.to(); i++) {
                        if (t.charAt(i) == '%') {
                            return false;
                        }
                    }
                }
            }
            int radius = 0;
            if (tp != null) {
                for (String k : tp.pack().keywordList()) {
                    if (k.indexOf('%') < 0) {
                        radius = Math.max(radius, k.length());
                    }
                }
            }
            if (values0) {
                radius = Math.max(radius, values.maxLengthWithout('%'));
            }
            // seams: where a part of another piece starts right after the previous part (not after a NUL)
            int[] seams = new int[parts.size()];
            int seamCount = 0;
            for (int k = 1; k < parts.size(); k++) {
                int[] prev = parts.get(k - 1);
                int[] part = parts.get(k);
                if (prev[0] != part[0]) {
                    seams[seamCount++] = part[3];
                }
            }
            // crossing hits: the merged windows [seam + 1 - radius, seam + radius - 1) of the joined text,
            // NUL-separated in one text (no pattern holds a NUL) so one interleaved pass scans them all
            List<int[]> windows = new ArrayList<>(); // {joined start, start in cat, length}
            int catLength = 0;
            int k = 0;
            while (k < seamCount) {
                int ws = Math.max(0, seams[k] + 1 - radius);
                int we = Math.min(length, seams[k] + radius - 1);
                while (k + 1 < seamCount && seams[k + 1] + 1 - radius <= we) {
                    k++;
                    we = Math.min(length, seams[k] + radius - 1);
                }
                k++;
                if (we <= ws) {
                    continue;
                }
                windows.add(new int[] {ws, catLength, we - ws});
                catLength += we - ws + 1; // and a NUL
            }
            List<long[]> crossing = new ArrayList<>(); // {end, length, pattern} in the joined text
            if (!windows.isEmpty()) {
                // ASCII pieces: the windows are copied from the views' bytes and walked as bytes (JDK 17's
                // StringBuilder copies a String range char by char); the text is made only if needed
                byte[] catBytes = ascii ? new byte[catLength] : null;
                String text = null;
                if (ascii) {
                    int partHint = 0;
                    for (int[] win : windows) {
                        partHint = sliceBytes(parts, pieces, win[0], win[0] + win[2], partHint, catBytes, win[1]);
                    }
                } else {
                    StringBuilder cat = new StringBuilder(catLength);
                    int partHint = 0;
                    for (int[] win : windows) {
                        partHint = slice(parts, pieces, win[0], win[0] + win[2], partHint, cat);
                        cat.append('\0');
                    }
                    text = cat.toString();
                }
                HitList h = new HitList();
                try {
                    if (ascii) {
                        ac.scanAscii(catBytes, h);
                    } else {
                        ac.scan(text, 0, text.length(), h, false);
                    }
                } catch (RuntimeException | LinkageError e) {
                    throw new DlpException("detector " + (tp != null ? tpId : ksId) + " failed (" + e.getClass().getName() + ")");
                }
                HitList kept = new HitList();
                int w = 0;
                for (int j = 0; j < h.size(); j++) {
                    int catEnd = h.end(j);
                    while (w + 1 < windows.size() && windows.get(w + 1)[1] < catEnd) {
                        w++;
                    }
                    int[] win = windows.get(w);
                    int end = win[0] + (catEnd - win[1]);
                    int start = end - ac.patternLength(h.pattern(j));
                    if (crosses(seams, seamCount, start, end)) {
                        kept.hit(h.pattern(j), catEnd);
                        crossing.add(new long[] {end, end - start, h.pattern(j)});
                    }
                }
                if (values0 && kept.size() > 0) {
                    if (text == null) {
                        text = new String(catBytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    List<Finding> found;
                    try {
                        found = ks.scan("joined", text, kept, offset, values);
                    } catch (RuntimeException | LinkageError e) {
                        throw new DlpException("detector " + ksId + " failed (" + e.getClass().getName() + ")");
                    }
                    for (Finding f : found) {
                        int x = windows.size() - 1;
                        while (windows.get(x)[1] > f.start()) {
                            x--;
                        }
                        int shift = windows.get(x)[0] - windows.get(x)[1];
                        out.add(new Finding(ksId, f.rule(), "joined", f.start() + shift, f.end() + shift, f.severity()));
                    }
                }
            }
            if (tp == null || !patterns) {
                return true;
            }
            // keyword hits of the whole joined text: inside parts (from the pieces' views) and crossing seams
            int keywordCount = tp.pack().keywordList().size();
            List<long[]> all = new ArrayList<>();
            for (long[] c : crossing) {
                if (c[2] < keywordCount) {
                    all.add(c);
                }
            }
            for (int[] part : parts) {
                HitList h = pieces.get(part[0]).hits();
                int from = part[1];
                int to = part[2];
                // first hit ending after `from` (hits are in end order)
                int lo = 0;
                int hi = h.size();
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (h.end(mid) <= from) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                for (int j = lo; j < h.size() && h.end(j) <= to; j++) {
                    int p = h.pattern(j);
                    int len = ac.patternLength(p);
                    if (p < keywordCount && h.end(j) - len >= from) {
                        all.add(new long[] {part[3] + (h.end(j) - from), len, p});
                    }
                }
            }
            if (all.isEmpty()) {
                return true; // no keyword: no pattern rule runs (rules without keywords were handled above)
            }
            // the automaton's order: by end, longer (outer) patterns first at one end
            all.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
            HitList kw = new HitList();
            for (long[] a : all) {
                kw.hit((int) a[2], (int) a[0]);
            }
            String joined = joinedText(parts, pieces, length);
            List<Finding> found;
            try {
                found = tp.scan("joined", joined, kw);
            } catch (RuntimeException | LinkageError e) {
                throw new DlpException("detector " + tpId + " failed (" + e.getClass().getName() + ")");
            }
            out.addAll(found.stream().map(f -> new Finding(tpId, f.rule(), f.surface(), f.start(), f.end(), f.severity()))
                    .toList());
            return true;
        }

        /** Whether [start, end) holds a seam strictly inside. */
        private static boolean crosses(int[] seams, int count, int start, int end) {
            int lo = 0;
            int hi = count;
            while (lo < hi) { // first seam > start
                int mid = (lo + hi) >>> 1;
                if (seams[mid] <= start) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo < count && seams[lo] < end;
        }

        /** The first part at or after {@code hint} that ends after {@code from} (parts: piece, start, end, joined offset). */
        private static int firstPart(List<int[]> parts, int from, int hint) {
            int k = hint;
            while (k < parts.size() && parts.get(k)[3] + (parts.get(k)[2] - parts.get(k)[1]) <= from) {
                k++;
            }
            return k;
        }

        /**
         * Appends chars [from, to) of the joined text, built from the parts, to {@code sb}; {@code hint} is
         * a part index at or before the first part the range touches; returns such an index for a later range.
         */
        private static int slice(List<int[]> parts, List<Piece> pieces, int from, int to, int hint, StringBuilder sb) {
            int base = sb.length();
            int k = firstPart(parts, from, hint);
            int next = k;
            for (; k < parts.size(); k++) {
                int[] part = parts.get(k);
                int ps = part[3];
                int pe = ps + (part[2] - part[1]);
                if (ps >= to) {
                    break;
                }
                while (sb.length() - base < ps - from) {
                    sb.append('\0'); // the NUL between the two ends of a long piece
                }
                int s = Math.max(from, ps);
                int e = Math.min(to, pe);
                sb.append(pieces.get(part[0]).view().text(), part[1] + (s - ps), part[1] + (e - ps));
            }
            while (sb.length() - base < to - from) {
                sb.append('\0');
            }
            return next;
        }

        /**
         * As {@link #slice} into {@code dst} at {@code at}, from the ASCII bytes of the pieces' views (the NUL
         * between the two ends of a long piece, and the NUL after the range, are the array's zeros).
         */
        private static int sliceBytes(List<int[]> parts, List<Piece> pieces, int from, int to, int hint, byte[] dst,
                                      int at) {
            int k = firstPart(parts, from, hint);
            int next = k;
            for (; k < parts.size(); k++) {
                int[] part = parts.get(k);
                int ps = part[3];
                int pe = ps + (part[2] - part[1]);
                if (ps >= to) {
                    break;
                }
                int s = Math.max(from, ps);
                int e = Math.min(to, pe);
                byte[] src = pieces.get(part[0]).view().asciiBytes();
                System.arraycopy(src, part[1] + (s - ps), dst, at + (s - from), e - s);
            }
            return next;
        }

        private static void add(String id, List<Finding> found, TextView view, String surface, Collection<Finding> out)
                throws DlpException {
            for (Finding f : found) {
                if (f.end() > view.length()) {
                    throw new DlpException("detector " + id + " reported a span outside its input");
                }
                int[] span = view.originalSpan(f.start(), f.end());
                out.add(new Finding(id, f.rule(), surface, span[0], span[1], f.severity()));
            }
        }
    }

    // ---- redaction -------------------------------------------------------------------------------

    /** Marker that replaces a redacted span. */
    public static String marker(String rule) {
        return "[REDACTED:" + rule + "]";
    }

    /**
     * Replaces every finding's span with {@code [REDACTED:<rule>]}; overlapping or touching spans merge
     * into one marker named after the first rule. Spans beyond the text are clamped. The caller passes
     * the findings of the one surface this text is.
     */
    public static String redact(CharSequence text, List<Finding> findings) {
        int len = text.length();
        List<Finding> sorted = new ArrayList<>();
        for (Finding f : findings) {
            if (f.end() > f.start() && f.start() < len) {
                sorted.add(f);
            }
        }
        sorted.sort(Comparator.comparingInt(Finding::start).thenComparingInt(Finding::end));
        StringBuilder sb = new StringBuilder(len);
        int pos = 0;
        int i = 0;
        while (i < sorted.size()) {
            Finding first = sorted.get(i);
            int s = first.start();
            int e = Math.min(first.end(), len);
            for (i++; i < sorted.size() && sorted.get(i).start() <= e; i++) {
                e = Math.max(e, Math.min(sorted.get(i).end(), len));
            }
            sb.append(text, pos, s).append(marker(first.rule()));
            pos = e;
        }
        sb.append(text, pos, len);
        return sb.toString();
    }
}
