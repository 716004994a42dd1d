package bot.bottle.agent.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;

import org.junit.jupiter.api.Assumptions;

/** Test helpers: a fresh loopback address, and skipping engine tests with a reason anyone can read. */
public final class Loopback {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Loopback() {
    }

    /** A random address in 127.0.0.0/8 other than 127.0.0.1 (Linux answers the whole range on lo). */
    public static InetAddress fresh() {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) (16 + RANDOM.nextInt(200)),
                (byte) RANDOM.nextInt(256), (byte) (2 + RANDOM.nextInt(250))});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Skips the calling test (printing why) unless provider images can be built here. */
    public static void assumeImages() {
        AgentImages.unavailable().ifPresent(reason -> {
            System.err.println("SKIPPED (no image build possible): " + reason);
            Assumptions.abort(reason);
        });
    }

    /** A fake token of the given prefix, random per run. */
    public static String token(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 40; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
