package bot.bottle.gitgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A real SSH server on loopback (Apache MINA SSHD) in front of real {@code git-upload-pack} and
 * {@code git-receive-pack} processes. It accepts exactly one public key, the gate's.
 */
public final class SshGitServer implements AutoCloseable {

    private final SshServer server;
    private final KeyPair hostKey;
    private final AtomicInteger sessions = new AtomicInteger();

    public SshGitServer(Path root, PublicKey allowed) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        this.hostKey = g.generateKeyPair();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> {
            sessions.incrementAndGet();
            return KeyUtils.compareKeys(allowed, key);
        });
        server.setCommandFactory((channel, command) -> new GitCommand(root, command));
        server.start();
    }

    public int port() {
        return server.getPort();
    }

    public int authAttempts() {
        return sessions.get();
    }

    /** The known_hosts line pinning this server's host key. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    public void stop() throws IOException {
        server.stop(true);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** Runs "git-upload-pack '/x.git'" as a real git process under the root directory. */
    private static final class GitCommand implements Command {
        private final Path root;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        GitCommand(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            String[] parts = command.split(" ", 2);
            if (parts.length != 2 || !(parts[0].equals("git-upload-pack") || parts[0].equals("git-receive-pack"))) {
                err.write(("unsupported command: " + command + "\n").getBytes());
                err.flush();
                exit.onExit(1);
                return;
            }
            String path = parts[1].replace("'", "");
            Path repo = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
            List<String> cmd = new ArrayList<>(List.of("git", parts[0].substring(4), repo.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            String proto = env.getEnv().get("GIT_PROTOCOL");
            if (proto != null) {
                pb.environment().put("GIT_PROTOCOL", proto);
            }
            process = pb.start();
            Thread a = pump(in, process.getOutputStream(), true);
            Thread b = pump(process.getInputStream(), out, false);
            Thread c = pump(process.getErrorStream(), err, false);
            Thread w = new Thread(() -> {
                try {
                    int code = process.waitFor(120, TimeUnit.SECONDS) ? process.exitValue() : 124;
                    b.join(10_000);
                    c.join(10_000);
                    a.interrupt();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ssh-git-wait");
            w.setDaemon(true);
            w.start();
        }

        private static Thread pump(InputStream from, OutputStream to, boolean closeTo) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[32 << 10];
                try {
                    int n;
                    while ((n = from.read(buf)) > 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the other side closed
                } finally {
                    if (closeTo) {
                        try {
                            to.close();
                        } catch (IOException e) {
                            // ignore
                        }
                    }
                }
            }, "ssh-git-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.destroy();
            }
        }
    }
}
