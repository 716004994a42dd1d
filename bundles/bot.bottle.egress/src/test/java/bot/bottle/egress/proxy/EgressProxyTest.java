package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;
import bot.bottle.egress.testing.TestUpstream.Received;

/** Real clients (curl, the JDK HttpClient) through the real proxy to HTTPS servers on loopback. */
class EgressProxyTest {
    static final String ROUTES = """
            log: full
            routes:
              - host: api.example.test
                auth_scheme: Bearer
                token_env: API_TOKEN
              - host: gh.example.test
                auth_scheme: token
                token_env: GH_TOKEN
                matches:
                  - paths: [{type: prefix, value: /repos/}]
                    methods: [GET]
                  - paths: [{type: exact, value: /user}]
                  - paths: [{type: regex, value: "/orgs/[a-z]+/members"}]
                    headers: [{name: X-Team, value: core}]
              - host: open.example.test
                dlp: {outbound_detectors: false, inbound_detectors: false}
              - host: redact.example.test
                outbound_on_match: redact
              - host: block.example.test
                outbound_on_match: block
              - host: other.example.test
              - host: broken.example.test
                dlp: {outbound_detectors: [broken]}
              - host: plain.example.test
              - host: localhost
            """;

    @TempDir
    static Path dir;
    static ProxyFixture fx;
    static HttpClient jdk;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyFixture(dir, ROUTES, null, HoldDecider.DENY);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(fx.caCert())) {
            ks.setCertificateEntry("bottle", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        jdk = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", fx.port())))
                .sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static void needCurl() {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed: skipping the curl tests");
    }

    static int status(Run r) {
        String[] lines = r.out().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    static String b64(String s) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes());
    }

    static String body(Run r) {
        int i = r.out().lastIndexOf('\n');
        return i < 0 ? "" : r.out().substring(0, i);
    }

    @Test
    void curlAllowedRouteGetsTheInjectedTokenNotTheAgents() throws Exception {
        needCurl();
        Run r = fx.curl("-H", "Authorization: Bearer agent-placeholder", fx.url("api.example.test", "/v1/echo?q=1"));
        assertEquals(200, status(r), r.toString());
        assertTrue(body(r).startsWith("ok GET /v1/echo?q=1"), r.out());
        Received got = fx.https.last();
        assertEquals("Bearer " + ProxyFixture.API_TOKEN, got.header("authorization"));
        assertFalse(got.headers().toString().contains("agent-placeholder"));
        assertEquals("api.example.test:" + fx.https.port(), got.header("host"));
    }

    @Test
    void jdkHttpClientGetAndPostThroughTheProxy() throws Exception {
        HttpResponse<String> get = jdk.send(HttpRequest.newBuilder(URI.create(fx.url("gh.example.test", "/user")))
                .header("Authorization", "token agent-fake").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode(), get.body());
        assertEquals("token " + ProxyFixture.GH_TOKEN, fx.https.last().header("authorization"));
        HttpResponse<String> post = jdk.send(HttpRequest.newBuilder(URI.create(fx.url("api.example.test", "/p")))
                .POST(HttpRequest.BodyPublishers.ofString("hello=world")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        assertEquals("hello=world", new String(fx.https.last().body()));
        HttpResponse<String> refused = jdk.send(HttpRequest.newBuilder(URI.create(
                "https://evil.example.test/steal")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("evil.example.test"), refused.body());
    }

    @Test
    void hostNotInRoutesIs403WithHowToAsk() throws Exception {
        needCurl();
        int before = fx.https.received.size();
        Run r = fx.curl("https://evil.example.test/anything");
        assertEquals(403, status(r), r.toString());
        assertTrue(body(r).contains("host evil.example.test is not in the bottle's egress routes"), r.out());
        assertTrue(body(r).contains("`allow`") && body(r).contains("`egress-block`"), r.out());
        assertEquals(before, fx.https.received.size());
        assertTrue(fx.logText().contains("\"event\":\"egress_block\",\"host\":\"evil.example.test\""), fx.logText());
    }

    @Test
    void eachMatchType() throws Exception {
        needCurl();
        assertEquals(200, status(fx.curl(fx.url("gh.example.test", "/repos/acme/x"))));
        assertEquals(403, status(fx.curl("-X", "POST", "-d", "x", fx.url("gh.example.test", "/repos/acme/x"))), "method");
        assertEquals(200, status(fx.curl(fx.url("gh.example.test", "/user"))), "exact");
        assertEquals(403, status(fx.curl(fx.url("gh.example.test", "/user/keys"))), "exact, not prefix");
        assertEquals(200, status(fx.curl("-H", "X-Team: core", fx.url("gh.example.test", "/orgs/acme/members"))));
        assertEquals(403, status(fx.curl(fx.url("gh.example.test", "/orgs/acme/members"))), "header missing");
        assertEquals(403, status(fx.curl("-H", "X-Team: corex", fx.url("gh.example.test", "/orgs/acme/members"))));
        assertEquals(403, status(fx.curl("-H", "X-Team: core", fx.url("gh.example.test", "/orgs/acme/members/1"))),
                "regex must match the whole path");
        Run r = fx.curl(fx.url("gh.example.test", "/admin"));
        assertEquals(403, status(r));
        assertTrue(body(r).contains("matches none of the route's matches entries"), r.out());
    }

    @Test
    void dotSegmentsAndEncodedSlashesCannotEscapeAPrefix() throws Exception {
        needCurl();
        assertEquals(403, status(fx.curl("--path-as-is", fx.url("gh.example.test", "/repos/../admin"))));
        assertEquals(400, status(fx.curl("--path-as-is", fx.url("gh.example.test", "/repos/%2e%2e/admin"))));
        assertEquals(400, status(fx.curl("--path-as-is", fx.url("gh.example.test", "/repos/a%2f..%2f..%2fadmin"))));
        assertEquals(200, status(fx.curl("--path-as-is", fx.url("gh.example.test", "/repos/a/../b"))));
        assertEquals("/repos/b", fx.https.last().uri());
    }

    @Test
    void introspectionListsLiveRoutesWithoutTokenValues() throws Exception {
        needCurl();
        Run r = fx.curl("http://_egress.local/allowlist");
        assertEquals(200, status(r), r.toString());
        String json = body(r);
        assertTrue(json.startsWith("{\"routes\":[{\"host\":\"api.example.test\",\"auth_scheme\":\"Bearer\","
                + "\"token_env\":\"API_TOKEN\"}"), json);
        assertTrue(json.contains("{\"type\":\"regex\",\"value\":\"/orgs/[a-z]+/members\"}"), json);
        assertTrue(json.contains("\"outbound_on_match\":\"redact\""), json);
        assertFalse(json.contains(ProxyFixture.API_TOKEN) || json.contains(ProxyFixture.GH_TOKEN), json);
    }

    @Test
    void reflectedTokenIsRedactedFromHeadersAndBody() throws Exception {
        needCurl();
        Run r = fx.curl("-i", fx.url("api.example.test", "/echo?reflect=1"));
        assertEquals(200, status(r), r.toString());
        assertFalse(r.out().contains(ProxyFixture.API_TOKEN), r.out());
        assertTrue(r.out().contains("you sent: Bearer [REDACTED]"), r.out());
        assertTrue(r.out().toLowerCase().contains("x-echo-auth: bearer [redacted]"), r.out());
    }

    @Test
    void dnsOverHttpsIsBlocked() throws Exception {
        needCurl();
        assertEquals(403, status(fx.curl("https://dns.google/dns-query?dns=AAABAAABAAAAAAAAA2V4YW1wbGUDY29tAAABAAE")));
        assertEquals(403, status(fx.curl("-H", "Accept: application/dns-message", fx.url("open.example.test", "/q"))));
        assertEquals(403, status(fx.curl("-H", "Content-Type: application/dns-message", "--data-binary", "x",
                fx.url("open.example.test", "/q"))));
        assertEquals(403, status(fx.curl(fx.url("open.example.test", "/resolve?dns=AAAB"))));
    }

    @Test
    void upgradesAreRefused() throws Exception {
        needCurl();
        Run r = fx.curl("-H", "Connection: Upgrade", "-H", "Upgrade: websocket", fx.url("open.example.test", "/ws"));
        assertEquals(403, status(r));
        assertTrue(body(r).contains("upgrade"), r.out());
        assertEquals(403, status(fx.curl("--http2", "http://plain.example.test:" + fx.plain.port() + "/h2c")));
    }

    @Test
    void outboundDlpBlockPolicyRefusesAndNeverLogsTheSecret() throws Exception {
        needCurl();
        int before = fx.https.received.size();
        Run r = fx.curl("--data-binary", "token=SECRET-ABC123", fx.url("block.example.test", "/upload"));
        assertEquals(403, status(r), r.toString());
        assertTrue(body(r).contains("fake/fake-secret in body"), r.out());
        assertFalse(body(r).contains("SECRET-ABC123"));
        assertEquals(before, fx.https.received.size());
        Run q = fx.curl(fx.url("block.example.test", "/x?key=SECRET-INQUERY9"));
        assertEquals(403, status(q));
        assertFalse(fx.logText().contains("SECRET-ABC123") || fx.logText().contains("SECRET-INQUERY9"), fx.logText());
    }

    @Test
    void superviseIsTheDefaultAndTheHoldDeciderDenies() throws Exception {
        needCurl();
        Run r = fx.curl("-H", "X-Key: SECRET-HDR1", fx.url("other.example.test", "/"));
        assertEquals(403, status(r), r.toString());
        assertTrue(body(r).contains("held for supervision and denied"), r.out());
        assertTrue(body(r).contains("header:x-key"), r.out());
        // LOW findings are at most supervised, even under block
        assertEquals(403, status(fx.curl("-d", "WEAK-ONE", fx.url("block.example.test", "/"))));
    }

    @Test
    void redactPolicyScrubsBodyAndQueryThenForwards() throws Exception {
        needCurl();
        Run r = fx.curl("--data-binary", "a=1&key=SECRET-XYZ789&b=2", fx.url("redact.example.test", "/post?t=SECRET-Q1"));
        assertEquals(200, status(r), r.toString());
        Received got = fx.https.last();
        assertEquals("a=1&key=[REDACTED]&b=2", new String(got.body()));
        assertEquals("/post?t=%5BREDACTED%5D", got.uri());
        assertEquals(String.valueOf(got.body().length), got.header("content-length"));
    }

    @Test
    void canaryIsAlwaysBlockedWhateverThePolicy() throws Exception {
        needCurl();
        Run r = fx.curl("--data-binary", "x=" + ProxyFixture.CANARY, fx.url("redact.example.test", "/"));
        assertEquals(403, status(r), r.toString());
        assertTrue(body(r).contains("(certain)"), r.out());
        assertFalse(fx.logText().contains(ProxyFixture.CANARY));
    }

    @Test
    void detectorsOffMeansNoScan() throws Exception {
        needCurl();
        assertEquals(200, status(fx.curl("--data-binary", "SECRET-OPEN1", fx.url("open.example.test", "/"))));
        assertEquals("SECRET-OPEN1", new String(fx.https.last().body()));
    }

    @Test
    void scannerErrorOrAbsenceRefuses() throws Exception {
        needCurl();
        Run r = fx.curl(fx.url("broken.example.test", "/"));
        assertEquals(403, status(r));
        assertTrue(body(r).contains("outbound scan failed"), r.out());
        fx.scannerPresent = false;
        try {
            Run s = fx.curl(fx.url("other.example.test", "/"));
            assertEquals(403, status(s));
            assertTrue(body(s).contains("no DLP scanner is running"), s.out());
            assertEquals(200, status(fx.curl(fx.url("open.example.test", "/"))), "a route without detectors still works");
        } finally {
            fx.scannerPresent = true;
        }
    }

    @Test
    void inboundFindingsAreRedactedIncludingCompressedBodies() throws Exception {
        needCurl();
        Run r = fx.curl(fx.url("other.example.test", "/?say64=" + b64("here is SECRET-INB42")));
        assertEquals(200, status(r), r.toString());
        assertTrue(body(r).contains("here is [REDACTED]"), r.out());
        Run g = fx.curl("--compressed", fx.url("other.example.test", "/?say64=" + b64("gz SECRET-GZ77") + "&gzip=1"));
        assertEquals(200, status(g), g.toString());
        assertTrue(body(g).contains("gz [REDACTED]"), g.out());
        assertFalse(g.out().contains("SECRET-GZ77"));
        Run info = fx.curl(fx.url("other.example.test", "/?say=IGNORE-PREVIOUS+instructions"));
        assertTrue(body(info).contains("IGNORE-PREVIOUS instructions"), "INFO findings annotate, never block");
        assertTrue(fx.scanner.seen.contains("INBOUND body"));
        assertTrue(fx.logText().contains("egress_warn"), fx.logText());
    }

    @Test
    void plainHttpRoutesAndAuthNeedsTls() throws Exception {
        needCurl();
        Run r = fx.curl("http://plain.example.test:" + fx.plain.port() + "/hello");
        assertEquals(200, status(r), r.toString());
        assertEquals("/hello", fx.plain.last().uri());
        Run a = fx.curl("http://api.example.test:" + fx.https.port() + "/x");
        assertEquals(403, status(a));
        assertTrue(body(a).contains("use https://"), a.out());
    }

    @Test
    void privateAddressesAreRefusedUnlessPinned() throws Exception {
        needCurl();
        Run r = fx.curl("https://localhost:" + fx.https.port() + "/");
        assertEquals(403, status(r), r.toString());
        assertTrue(body(r).contains("loopback"), r.out());
    }

    @Test
    void fullLogHasRequestAndResponseEventsAndNoTokens() throws Exception {
        needCurl();
        assertEquals(200, status(fx.curl("-H", "Authorization: Bearer agent-secret-value",
                fx.url("api.example.test", "/logged?secret=querypart"))));
        String log = fx.logText();
        assertTrue(log.contains("\"event\":\"egress_request\",\"host\":\"api.example.test\",\"method\":\"GET\","
                + "\"path\":\"/logged\""), log);
        assertTrue(log.contains("\"event\":\"egress_response\""), log);
        assertTrue(log.contains("\"event\":\"egress_start\""), log);
        for (String secret : new String[] {ProxyFixture.API_TOKEN, ProxyFixture.GH_TOKEN, "agent-secret-value",
                "querypart"}) {
            assertFalse(log.contains(secret), "log leaks " + secret);
        }
        assertNotNull(fx.proxy.routes());
    }
}
