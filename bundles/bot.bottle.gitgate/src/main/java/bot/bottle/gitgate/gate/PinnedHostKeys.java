package bot.bottle.gitgate.gate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Accepts exactly the host keys the bottle's known_hosts file lists for the upstream's host and port.
 * Nothing is learned, nothing is asked, the user's {@code ~/.ssh/known_hosts} is never read, a
 * {@code @revoked} entry wins, and certificates are refused (pin the host key itself).
 */
final class PinnedHostKeys implements ServerKeyDatabase {

    private final String host;
    private final int port;
    private final List<PublicKey> keys;
    private final List<PublicKey> revoked;

    PinnedHostKeys(Path knownHosts, String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        List<PublicKey> k = new ArrayList<>();
        List<PublicKey> r = new ArrayList<>();
        List<KnownHostEntry> entries;
        try {
            entries = KnownHostEntry.readKnownHostEntries(knownHosts);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read known_hosts " + knownHosts + ": " + e.getMessage(), e);
        }
        for (KnownHostEntry e : entries) {
            if (!e.isHostMatch(host, port)) {
                continue;
            }
            PublicKey key;
            try {
                key = e.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
            } catch (Exception ex) {
                continue; // a key type this JVM cannot read cannot match either
            }
            if (key == null) {
                continue;
            }
            String marker = e.getMarker();
            if ("revoked".equals(marker)) {
                r.add(key);
            } else if (marker == null || marker.isEmpty()) {
                k.add(key);
            }
        }
        if (k.isEmpty()) {
            throw new IOException("known_hosts " + knownHosts + " has no usable key for " + hostPort());
        }
        this.keys = List.copyOf(k);
        this.revoked = List.copyOf(r);
    }

    private String hostPort() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        return keys;
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
            Configuration config, CredentialsProvider provider) {
        if (serverKey instanceof OpenSshCertificate) {
            return false;
        }
        for (PublicKey r : revoked) {
            if (KeyUtils.compareKeys(r, serverKey)) {
                return false;
            }
        }
        for (PublicKey k : keys) {
            if (KeyUtils.compareKeys(k, serverKey)) {
                return true;
            }
        }
        return false;
    }
}
