package bot.bottle.gitgate.gate;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PushConnection;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * The way to one upstream: JGit's transport, over Apache MINA SSHD with the deploy key and the pinned
 * host key for {@code ssh://}, or JGit's local transport for a path. The SSH client reads nothing of the
 * sidecar user's {@code ~/.ssh} (no config, no default identities, no known_hosts, no agent).
 */
final class Upstream implements Closeable {

    private final String display;
    private final URIish uri;
    private final SshdSessionFactory ssh;
    private final int timeoutSeconds;

    Upstream(RepoConfig repo, Path sshHome, Duration timeout) throws IOException {
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
        try {
            this.uri = new URIish(repo.upstream());
        } catch (URISyntaxException e) {
            throw new IOException("repo '" + repo.name() + "': upstream is not a git URL: " + e.getMessage());
        }
        this.display = uri.setPass(null).toString();
        if (repo.ssh()) {
            int port = uri.getPort() > 0 ? uri.getPort() : 22;
            PinnedHostKeys pinned = new PinnedHostKeys(repo.knownHosts(), uri.getHost(), port);
            List<KeyPair> keys = loadKey(repo.key());
            Files.createDirectories(sshHome.resolve(".ssh"));
            File home = sshHome.toFile();
            this.ssh = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home)
                    .setSshDirectory(sshHome.resolve(".ssh").toFile())
                    .setConfigStoreFactory((h, f, u) -> null)
                    .setDefaultKnownHostsFiles(f -> List.of())
                    .setDefaultIdentities(f -> List.of())
                    .setDefaultKeysProvider(f -> keys)
                    .setServerKeyDatabase((h, s) -> pinned)
                    .setPreferredAuthentications("publickey")
                    .setConnectorFactory(null)
                    .build(null);
        } else {
            Path p = Path.of(repo.upstream());
            if (!Files.isDirectory(p)) {
                throw new IOException("repo '" + repo.name() + "': upstream " + p + " is not a directory");
            }
            this.ssh = null;
        }
    }

    /** Loads an OpenSSH/PEM private key; the key stays in this process's memory only. */
    static List<KeyPair> loadKey(Path key) throws IOException {
        if (key == null || !Files.isRegularFile(key)) {
            throw new IOException("deploy key " + key + " is not a file");
        }
        List<KeyPair> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(key)) {
            Iterable<KeyPair> it = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(key.toString()), in,
                    null);
            if (it != null) {
                it.forEach(out::add);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("cannot load deploy key " + key + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException("deploy key " + key + " holds no key");
        }
        return List.copyOf(out);
    }

    String display() {
        return display;
    }

    private Transport open(Repository local) throws TransportException {
        try {
            Transport t = Transport.open(local, uri);
            if (t instanceof SshTransport st) {
                if (ssh == null) {
                    t.close();
                    throw new TransportException(uri, "ssh is not configured for this upstream");
                }
                st.setSshSessionFactory(ssh);
            }
            t.setTimeout(timeoutSeconds);
            return t;
        } catch (org.eclipse.jgit.errors.NotSupportedException e) {
            throw new TransportException(uri, e.getMessage(), e);
        }
    }

    /** A transport for a fetch (the caller closes it). */
    Transport fetchTransport(Repository local) throws TransportException {
        return open(local);
    }

    /** An open push connection: its advertisement is the upstream's current refs. */
    record Push(Transport transport, PushConnection connection) implements Closeable {
        @Override
        public void close() {
            try {
                connection.close();
            } finally {
                transport.close();
            }
        }
    }

    Push openPush(Repository local, List<String> pushOptions) throws IOException {
        Transport t = open(local);
        try {
            t.setPushAtomic(true);
            t.setPushOptions(pushOptions.isEmpty() ? null : pushOptions);
            return new Push(t, t.openPush());
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Lists the upstream's refs without fetching (used by tests and diagnostics). */
    java.util.Map<String, org.eclipse.jgit.lib.Ref> lsRemote(Repository local) throws IOException {
        try (Transport t = open(local); FetchConnection c = t.openFetch()) {
            return c.getRefsMap();
        }
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
