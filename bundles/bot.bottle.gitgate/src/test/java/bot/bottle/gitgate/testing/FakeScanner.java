package bot.bottle.gitgate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;

/** A unit-test stand-in for the engine: one regex, a switch to fail, a counter of scanned chars. */
public final class FakeScanner implements DlpScanner {

    private final Pattern pattern;
    private final Finding.Severity severity;
    public volatile boolean fail;
    public volatile long sleepMillis;
    public long chars;

    public FakeScanner(String regex, Finding.Severity severity) {
        this.pattern = Pattern.compile(regex);
        this.severity = severity;
    }

    @Override
    public KnownSecrets knownSecrets(Map<String, String> named, String canary) {
        return () -> named.size();
    }

    @Override
    public List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) throws DlpException {
        if (fail) {
            throw new DlpException("detector exploded");
        }
        if (sleepMillis > 0) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DlpException("interrupted");
            }
        }
        List<Finding> out = new ArrayList<>();
        for (ScanInput in : inputs) {
            chars += in.text().length();
            Matcher m = pattern.matcher(in.text());
            while (m.find()) {
                out.add(new Finding("fake", "fake-rule", in.surface(), m.start(), m.end(), severity));
            }
        }
        return out;
    }

    @Override
    public String redact(CharSequence text, List<Finding> findings) {
        StringBuilder b = new StringBuilder(text);
        findings.stream().sorted((a, c) -> c.start() - a.start())
                .forEach(f -> b.replace(f.start(), f.end(), "[REDACTED:" + f.rule() + "]"));
        return b.toString();
    }
}
