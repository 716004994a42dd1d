package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.cli.DlpCommandException;
import bot.bottle.dlp.cli.ScanCommand;
import bot.bottle.dlp.http.HttpMessage;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandTest {
    static final String GH = EngineTest.GH;
    @TempDir
    Path dir;

    private record Run(int status, String out) {
    }

    private Run run(ScanCommand.Options o, String stdin) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = 0;
        try {
            ScanCommand.run(o, Fixtures.builtins(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), ps);
        } catch (DlpCommandException e) {
            status = e.exitStatus();
            assertFalse(e.getMessage().contains("\n"));
        }
        return new Run(status, buf.toString(StandardCharsets.UTF_8));
    }

    private static ScanCommand.Options opts(String format, boolean http, Path known, String canary, Path rules, String... files) {
        return new ScanCommand.Options(format, Direction.OUTBOUND, http, known, canary, rules, List.of(files));
    }

    @Test
    void findsInFilesExitsOneAndNeverPrintsTheValue() throws Exception {
        Path env = dir.resolve("app.env");
        Files.writeString(env, "LOG=debug\nGITHUB_TOKEN=" + GH + "\n");
        Path clean = dir.resolve("clean.txt");
        Files.writeString(clean, "nothing here");
        Run r = run(opts("text", false, null, "", null, env.toString(), clean.toString()), "");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("token_patterns/github-pat in file:" + env + " [23..63] line 2"), r.out());
        assertTrue(r.out().contains("[REDACTED:github-pat]"));
        assertFalse(r.out().contains(GH));
        Run ok = run(opts("text", false, null, "", null, clean.toString()), "");
        assertEquals(0, ok.status());
    }

    @Test
    void jsonOutputStdinKnownSecretsAndCanary() throws Exception {
        Path known = dir.resolve("known.txt");
        Files.writeString(known, "\nmy-host-secret-value-1234\n");
        String canary = "canary-QUJDREVGR0hJSktMTU5PUA";
        String input = "a=" + Base64.getEncoder().encodeToString("my-host-secret-value-1234".getBytes(StandardCharsets.UTF_8))
                + " b=" + canary;
        Run r = run(opts("json", false, known, canary, null), input);
        assertEquals(1, r.status());
        JsonNode j = Fixtures.JSON.readTree(r.out());
        List<String> rules = new ArrayList<>();
        j.get("inputs").get(0).get("findings").forEach(f -> rules.add(f.get("rule").asText()));
        assertTrue(rules.contains("known-secret:known.txt:2") && rules.contains("canary"), rules.toString());
        assertFalse(r.out().contains(canary) || r.out().contains("my-host-secret"));
    }

    @Test
    void userGitleaksRulesReplaceTheDefaults() throws Exception {
        Path rules = dir.resolve("gitleaks.toml");
        Files.writeString(rules, "[[rules]]\nid = \"customer\"\nregex = '''CUST-[0-9]{8}'''\nkeywords = [\"cust-\"]\n"
                + "[[rules]]\nid = \"bad\"\nregex = '''(?=x)'''\n");
        Run r = run(opts("text", false, null, "", rules), "order CUST-12345678 and " + GH);
        assertEquals(1, r.status());
        assertTrue(r.out().contains("token_patterns/customer"));
        assertFalse(r.out().contains("github-pat"));
        assertTrue(r.out().contains("rules: skipped bad:"));
    }

    @Test
    void httpRequestIsScannedLikeTheProxyDoes() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(("{\"note\":\"" + GH + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = gz.toByteArray();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(("POST /upload?x=1 HTTP/1.1\r\nHost: api.example.com\r\nContent-Encoding: gzip\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        req.write(body);
        req.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        Path f = dir.resolve("req.http");
        Files.write(f, req.toByteArray());
        Run r = run(opts("text", true, null, "", null, f.toString()), "");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("github-pat in body"), r.out());
        List<ScanInput> in = HttpMessage.parse(req.toByteArray(), Direction.OUTBOUND, "");
        assertEquals(List.of("path", "header:host", "header:content-encoding", "header:transfer-encoding", "body"),
                in.stream().map(ScanInput::surface).toList());
    }

    @Test
    void ambiguousOrUndecodableMessagesAreRefused() {
        String[] bad = {
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
            "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc",
            "GET / HTTP/1.1\r\nX-A: a\u0001b\r\n\r\n",
        };
        for (String b : bad) {
            assertThrows(HttpMessage.Refused.class, () -> HttpMessage.parse(b.getBytes(StandardCharsets.ISO_8859_1),
                    Direction.OUTBOUND, ""), b);
        }
    }

    @Test
    void decompressionBombIsRefused() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 70; i++) {
                g.write(zeros);
            }
        }
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + gz.size() + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + gz.size()];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(gz.toByteArray(), 0, all, head.length, gz.size());
        assertThrows(HttpMessage.Refused.class, () -> HttpMessage.parse(all, Direction.INBOUND, ""));
    }

    /** SECURITY-NOTES 16: run every corpus positive and evasion through the command; no matched value may appear. */
    @Test
    void noMatchedValueAppearsInAnyOutput() throws Exception {
        List<String> texts = new ArrayList<>();
        Fixtures.jsonl("/corpus/positives.jsonl").forEach(p -> texts.add(p.get("text").asText()));
        Fixtures.jsonl("/corpus/evasions.jsonl").forEach(p -> texts.add(p.get("text").asText()));
        List<String> files = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Path f = dir.resolve("c" + i + ".txt");
            Files.writeString(f, texts.get(i));
            files.add(f.toString());
            for (Finding x : Fixtures.engine().scan(List.of(ScanInput.outbound("file:" + f, texts.get(i))), Set.of(), null)) {
                String v = texts.get(i).substring(x.start(), x.end());
                if (v.length() >= 12) {
                    secrets.add(v.length() > 40 ? v.substring(v.length() / 2 - 10, v.length() / 2 + 10) : v);
                }
            }
        }
        for (String format : List.of("text", "json")) {
            Run r = run(opts(format, false, null, "", null, files.toArray(String[]::new)), "");
            assertEquals(1, r.status());
            for (String s : secrets) {
                assertFalse(r.out().contains(s), "a matched value leaked into " + format + " output");
            }
        }
        assertTrue(secrets.size() > 1000, "secrets checked: " + secrets.size());
    }
}
