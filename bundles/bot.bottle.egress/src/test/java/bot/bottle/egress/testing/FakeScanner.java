package bot.bottle.egress.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;

/**
 * A small stand-in for the DLP engine, for this bundle's tests only: {@code SECRET-<A-Z0-9>+} is a HIGH
 * finding, {@code WEAK-<A-Z0-9>+} LOW, {@code IGNORE-PREVIOUS} INFO, and every known value CERTAIN.
 * The detector id {@code broken} makes {@code scan} throw.
 */
public final class FakeScanner implements DlpScanner {
    private static final Pattern HIGH = Pattern.compile("SECRET-[A-Z0-9]+");
    private static final Pattern LOW = Pattern.compile("WEAK-[A-Z0-9]+");
    private static final Pattern INFO = Pattern.compile("IGNORE-PREVIOUS");

    /** Every surface scanned, for assertions ("direction surface"). */
    public final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    /** The thread that scanned each body surface ("direction thread"), for where-it-ran assertions. */
    public final ConcurrentLinkedQueue<String> bodyThreads = new ConcurrentLinkedQueue<>();

    private record Known(List<String> values) implements KnownSecrets {
        @Override
        public int size() {
            return values.size();
        }
    }

    @Override
    public KnownSecrets knownSecrets(Map<String, String> named, String canary) {
        List<String> v = new ArrayList<>(named.values());
        if (!canary.isEmpty()) {
            v.add(canary);
        }
        return new Known(List.copyOf(v));
    }

    @Override
    public List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) throws DlpException {
        if (detectors.contains("broken")) {
            throw new DlpException("detector broken failed");
        }
        List<Finding> out = new ArrayList<>();
        for (ScanInput in : inputs) {
            seen.add(in.direction() + " " + in.surface());
            if (in.surface().equals("body")) {
                bodyThreads.add(in.direction() + " " + Thread.currentThread().getName());
            }
            String t = in.text().toString();
            add(out, HIGH, t, in.surface(), Severity.HIGH, "fake-secret");
            add(out, LOW, t, in.surface(), Severity.LOW, "fake-weak");
            add(out, INFO, t, in.surface(), Severity.INFO, "fake-injection");
            if (known instanceof Known k) {
                for (String v : k.values()) {
                    int i = t.indexOf(v);
                    while (i >= 0) {
                        out.add(new Finding("known_secrets", "known", in.surface(), i, i + v.length(), Severity.CERTAIN));
                        i = t.indexOf(v, i + 1);
                    }
                }
            }
        }
        return out;
    }

    private static void add(List<Finding> out, Pattern p, String t, String surface, Severity s, String rule) {
        Matcher m = p.matcher(t);
        while (m.find()) {
            out.add(new Finding("fake", rule, surface, m.start(), m.end(), s));
        }
    }

    @Override
    public String redact(CharSequence text, List<Finding> findings) {
        StringBuilder b = new StringBuilder(text);
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Comparator.comparingInt(Finding::start).reversed());
        int limit = Integer.MAX_VALUE;
        for (Finding f : sorted) {
            int end = Math.min(f.end(), limit);
            if (end > f.start()) {
                b.replace(f.start(), end, "[REDACTED]");
            }
            limit = f.start();
        }
        return b.toString();
    }
}
