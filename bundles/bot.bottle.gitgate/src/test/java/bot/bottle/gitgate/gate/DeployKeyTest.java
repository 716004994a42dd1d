package bot.bottle.gitgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployKeyTest {

    @TempDir
    Path tmp;

    private boolean keygen(String type, Path out) throws Exception {
        try {
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-f", out.toString())
                    .redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void openSshKeysAsSshKeygenWritesThem() throws Exception {
        for (String type : new String[] {"ed25519", "ecdsa", "rsa"}) {
            Path k = tmp.resolve(type);
            assumeTrue(keygen(type, k), "ssh-keygen not available");
            assertEquals(1, Upstream.loadKey(k).size(), type);
        }
    }

    @Test
    void missingOrGarbageKeyIsRefused() throws Exception {
        assertThrows(IOException.class, () -> Upstream.loadKey(tmp.resolve("none")));
        Files.writeString(tmp.resolve("bad"), "not a key\n");
        assertThrows(IOException.class, () -> Upstream.loadKey(tmp.resolve("bad")));
    }
}
