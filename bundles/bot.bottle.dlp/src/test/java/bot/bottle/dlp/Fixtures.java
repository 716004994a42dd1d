package bot.bottle.dlp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.dlp.detect.InjectionDetector;
import bot.bottle.dlp.detect.KnownSecretsDetector;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.engine.DlpEngine;
import bot.bottle.dlp.engine.DlpScannerImpl;
import bot.bottle.dlp.rules.RulePack;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Shared test fixtures: the built-in detectors, corpus files and the shared corpora folder. */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Map<String, DlpDetector> builtins;

    private Fixtures() {
    }

    public static synchronized Map<String, DlpDetector> builtins() {
        if (builtins == null) {
            try {
                Map<String, DlpDetector> m = new LinkedHashMap<>();
                m.put(TokenPatternDetector.ID, new TokenPatternDetector(RulePack.defaults()));
                m.put(KnownSecretsDetector.ID, new KnownSecretsDetector());
                m.put(InjectionDetector.ID, new InjectionDetector());
                builtins = Map.copyOf(m);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return builtins;
    }

    public static DlpEngine engine() {
        return new DlpEngine(builtins());
    }

    public static DlpScannerImpl scanner() {
        return new DlpScannerImpl(builtins());
    }

    public static List<JsonNode> jsonl(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<JsonNode> out = new java.util.ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared corpora folder (../shared/corpora beside the checkout); fails when it is missing. */
    public static Path corpora() {
        Path p = Path.of("").toAbsolutePath();
        for (int i = 0; i < 6 && p != null; i++, p = p.getParent()) {
            Path c = p.resolve("shared/corpora");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("shared/corpora not found beside the checkout");
    }
}
