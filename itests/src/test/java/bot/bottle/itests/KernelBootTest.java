package bot.bottle.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

import bot.bottle.kernel.Kernel;
import bot.bottle.kernel.api.KernelService;

/** The kernel boots the real distribution with every bundle active and the commands registered. */
class KernelBootTest {

    @Test
    void everyDistributionBundleIsActive(@TempDir Path home) throws Exception {
        try (Kernel kernel = Dist.kernel(home)) {
            BundleContext ctx = kernel.context();
            List<String> notActive = new ArrayList<>();
            int count = 0;
            for (Bundle b : ctx.getBundles()) {
                count++;
                boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
                if (!(b.getState() == Bundle.ACTIVE || (fragment && b.getState() == Bundle.RESOLVED))) {
                    notActive.add(b.getSymbolicName() + " state=" + b.getState());
                }
            }
            assertTrue(count > 10, "expected the distribution's bundles, got " + count);
            assertEquals(List.of(), notActive);
            assertEquals(java.util.Map.of(), kernel.bundleProblems());
        }
    }

    @Test
    void commandsAndKernelServiceAreRegistered(@TempDir Path home) throws Exception {
        try (Kernel kernel = Dist.kernel(home)) {
            BundleContext ctx = kernel.context();
            assertNotNull(ctx.getServiceReference(KernelService.class), "KernelService");
            for (String f : List.of("bottle:help", "bottle:doctor", "bottle:version", "contrib:list", "contrib:sign",
                    "contrib:keygen", "contrib:trust")) {
                String[] p = f.split(":");
                assertTrue(Dist.await(() -> {
                    try {
                        return ctx.getAllServiceReferences(null,
                                "(&(osgi.command.scope=" + p[0] + ")(osgi.command.function=" + p[1] + "))") != null;
                    } catch (Exception e) {
                        return false;
                    }
                }, 10_000), "command " + f + " registered");
            }
        }
    }
}
