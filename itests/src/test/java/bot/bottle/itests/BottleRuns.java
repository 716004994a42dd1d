package bot.bottle.itests;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import bot.bottle.demo.core.Launch;
import bot.bottle.kernel.Kernel;

/** What the tests that run whole bottles through the launcher share. */
public final class BottleRuns {
    private BottleRuns() {
    }

    public static Path dist() {
        return Path.of(System.getProperty("bot.bottle.dist", "../launcher/target/dist")).toAbsolutePath().normalize();
    }

    public static Path launcher() {
        return Path.of(System.getProperty("bot.bottle.launcher", "../launcher/bot-bottle")).toAbsolutePath().normalize();
    }

    /**
     * Signs {@code jar} with a fresh key that {@code home} trusts, as a user with {@code bot-bottle
     * contrib keygen/trust/sign} would, and drops it into {@code home/contrib/<name>.jar}.
     */
    public static void dropSigned(Path home, Path jar, String name, Path scratch) throws Exception {
        Path signed = scratch.resolve(name + "-signed.jar");
        try (Kernel kernel = new Kernel(home, dist(), Map.of(), false).start(true)) {
            kernel.trust(kernel.keygen(name + " itest", false));
            kernel.sign(jar, signed);
        }
        Path contrib = Files.createDirectories(home.resolve("contrib"));
        Files.copy(signed, contrib.resolve(name + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The host's address on the engine's default bridge: reachable from a sidecar, never from an agent. */
    public static Optional<InetAddress> bridgeAddress() {
        return Launch.bridgeAddress("docker0").map(a -> {
            try {
                return InetAddress.getByName(a); // a literal: no lookup
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static boolean await(BooleanSupplier c, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(25);
        }
        return c.getAsBoolean();
    }
}
