package bot.bottle.approval.ssh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;

import bot.bottle.api.approval.ApprovalInbox;

/**
 * An SSH server that offers only the supervise decisions ({@link SupervisorShell}). Public-key
 * authentication against {@code trust/authorized_keys}, re-read on every attempt so a removed key stops
 * working at once; no passwords, no keyboard-interactive, no forwarding, no subsystems. The approver
 * recorded in the response and the audit log is {@code ssh:<SHA256 fingerprint>} of the key that logged in.
 */
public final class SshApprovalServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SshApprovalServer.class.getName());
    static final AttributeRepository.AttributeKey<String> FINGERPRINT = new AttributeRepository.AttributeKey<>();

    private final SshServer sshd;

    private SshApprovalServer(SshServer sshd) {
        this.sshd = sshd;
    }

    /**
     * Starts the server.
     *
     * @param inbox          where decisions go
     * @param authorizedKeys the OpenSSH authorized_keys file; missing or unreadable means nobody gets in
     * @param hostKey        the server's host key file (created, EC P-521 (SSHD's default size), on first start)
     * @param listen         loopback unless the operator configured otherwise
     */
    public static SshApprovalServer start(ApprovalInbox inbox, Path authorizedKeys, Path hostKey,
            InetSocketAddress listen) throws IOException {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(listen.getHostString());
        sshd.setPort(listen.getPort());
        Files.createDirectories(hostKey.toAbsolutePath().getParent());
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKey);
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        sshd.setKeyPairProvider(keys);
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setPublickeyAuthenticator((user, key, session) -> authorize(authorizedKeys, key, session));
        sshd.setCommandFactory((channel, command) -> new SupervisorCommand(inbox, command));
        sshd.setShellFactory(channel -> new SupervisorCommand(inbox, null));
        sshd.start();
        return new SshApprovalServer(sshd);
    }

    static boolean authorize(Path authorizedKeys, PublicKey key, ServerSession session) {
        try {
            if (!Files.isRegularFile(authorizedKeys)) {
                return false;
            }
            List<AuthorizedKeyEntry> entries = AuthorizedKeyEntry.readAuthorizedKeys(authorizedKeys);
            for (AuthorizedKeyEntry e : entries) {
                PublicKey allowed = e.resolvePublicKey(session, PublicKeyEntryResolver.IGNORING);
                if (allowed != null && KeyUtils.compareKeys(allowed, key)) {
                    session.setAttribute(FINGERPRINT, KeyUtils.getFingerPrint(key));
                    return true;
                }
            }
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read " + authorizedKeys + "; refusing the login: " + e);
        }
        return false;
    }

    /** The bound port. */
    public int port() {
        return sshd.getPort();
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    /** One exec request ({@code ssh host approve <id>}) or an interactive line-by-line session. */
    static final class SupervisorCommand implements Command {
        private final ApprovalInbox inbox;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Thread thread;

        SupervisorCommand(ApprovalInbox inbox, String command) {
            this.inbox = inbox;
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
        public void start(ChannelSession channel, Environment env) {
            String fp = channel.getSession().getAttribute(FINGERPRINT);
            SupervisorShell shell = new SupervisorShell(inbox, "ssh:" + (fp == null ? "unknown" : fp));
            boolean pty = env.getEnv().containsKey(Environment.ENV_TERM);
            thread = new Thread(() -> run(shell, pty), "supervise-ssh");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(SupervisorShell shell, boolean pty) {
            int status = 0;
            try {
                if (command != null) {
                    SupervisorShell.Result r = shell.run(command);
                    (r.status() == 0 ? out : err).write(crlf(r.out(), pty));
                    status = r.status();
                } else {
                    out.write(crlf("bot-bottle supervise (type help)\n> ", pty));
                    out.flush();
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    StringBuilder line = new StringBuilder();
                    int c;
                    while ((c = reader.read()) >= 0) {
                        if (c == '\r' || c == '\n') {
                            if (pty) {
                                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
                            }
                            String l = line.toString().strip();
                            line.setLength(0);
                            if (l.equals("exit") || l.equals("quit")) {
                                break;
                            }
                            out.write(crlf(shell.run(l).out() + "> ", pty));
                        } else if (c == 4) { // ^D
                            break;
                        } else if ((c == 127 || c == 8) && line.length() > 0) {
                            line.setLength(line.length() - 1);
                            if (pty) {
                                out.write("\b \b".getBytes(StandardCharsets.UTF_8));
                            }
                        } else if (c >= 32) {
                            line.append((char) c);
                            if (pty) {
                                out.write(String.valueOf((char) c).getBytes(StandardCharsets.UTF_8));
                            }
                        }
                        out.flush();
                    }
                }
                out.flush();
                err.flush();
            } catch (IOException e) {
                status = 1;
            } finally {
                exit.onExit(status);
            }
        }

        private static byte[] crlf(String s, boolean pty) {
            return (pty ? s.replace("\n", "\r\n") : s).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
