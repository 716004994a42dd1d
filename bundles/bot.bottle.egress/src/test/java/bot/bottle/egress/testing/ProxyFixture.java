package bot.bottle.egress.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.HoldDecider;
import bot.bottle.egress.proxy.ResolvePin;
import bot.bottle.egress.tls.BottleCa;

/**
 * A proxy on loopback in front of one HTTPS test upstream (serving every test host name) and one plain
 * HTTP upstream, with pins so the test names resolve to 127.0.0.1 as curl's --resolve would.
 */
public final class ProxyFixture implements AutoCloseable {
    public static final String API_TOKEN = "real-api-token-7f3a9c1e5b";
    public static final String GH_TOKEN = "real-gh-token-2d8e4f6a0c";
    public static final String CANARY = "canary-b0771e-5e3c7a";
    public static final List<String> HOSTS = List.of("api.example.test", "gh.example.test", "open.example.test",
            "redact.example.test", "block.example.test", "git.example.test", "nogit.example.test",
            "broken.example.test", "other.example.test", "strict.example.test");

    public final Path dir;
    public final Path routes;
    public final Path state;
    public final Path upstreamCaFile;
    public final TestUpstream https;
    public final TestUpstream plain;
    public final FakeScanner scanner = new FakeScanner();
    /** Tests switch the scanner off to see requests that need one refused. */
    public volatile boolean scannerPresent = true;
    public final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    public final EgressServer proxy;

    public ProxyFixture(Path dir, String routesYaml, Path gitRoot, HoldDecider hold) throws Exception {
        this(dir, routesYaml, gitRoot, hold, b -> { });
    }

    public ProxyFixture(Path dir, String routesYaml, Path gitRoot, HoldDecider hold,
                        java.util.function.Consumer<EgressServer.Builder> tweak) throws Exception {
        this.dir = dir;
        BottleCa upstreamCa = BottleCa.loadOrCreate(dir.resolve("upstream-ca"), "test upstream CA");
        upstreamCaFile = upstreamCa.certificatePath();
        https = TestUpstream.https(upstreamCa, gitRoot, HOSTS.get(0), HOSTS.subList(1, HOSTS.size()).toArray(String[]::new));
        plain = TestUpstream.plain();
        routes = dir.resolve("routes.yaml");
        Files.writeString(routes, routesYaml.replace("PLAINPORT", String.valueOf(plain.port())));
        state = dir.resolve("state");
        Map<String, String> env = Map.of("API_TOKEN", API_TOKEN, "GH_TOKEN", GH_TOKEN, "EGRESS_TOKEN_CANARY", CANARY);
        EgressServer.Builder b = EgressServer.builder()
                .routesFile(routes).stateDir(state)
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .upstreamCa(upstreamCaFile)
                .env(env::get)
                .scanner(() -> scannerPresent ? scanner : null)
                .holdDecider(hold)
                .reloadInterval(Duration.ofMillis(50))
                .logSink(log::add);
        for (String h : HOSTS) {
            b.resolve(ResolvePin.parse(h + ":" + https.port() + ":127.0.0.1"));
        }
        b.resolve(ResolvePin.parse("plain.example.test:" + plain.port() + ":127.0.0.1"));
        tweak.accept(b);
        proxy = b.build().start();
    }

    public int port() {
        return proxy.address().getPort();
    }

    public String url(String host, String pathAndQuery) {
        return "https://" + host + ":" + https.port() + pathAndQuery;
    }

    public Path caCert() {
        return proxy.caCertificate();
    }

    /** Result of an external command. */
    public record Run(int exit, String out, String err) {
    }

    /** curl through the proxy, trusting the bottle CA; {@code -w} prints the status code last. */
    public Run curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--proxy",
                "http://127.0.0.1:" + port(), "--cacert", caCert().toString(), "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    public static Run run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        byte[][] outs = new byte[2][];
        Thread t = new Thread(() -> {
            try {
                outs[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                outs[1] = new byte[0];
            }
        });
        t.start();
        outs[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        t.join(5000);
        return new Run(p.exitValue(), new String(outs[0], StandardCharsets.UTF_8),
                outs[1] == null ? "" : new String(outs[1], StandardCharsets.UTF_8));
    }

    public static boolean has(String tool) {
        try {
            return run(List.of(tool, "--version"), null).exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    public String logText() {
        return String.join("\n", log);
    }

    @Override
    public void close() {
        proxy.close();
        https.close();
        plain.close();
    }
}
