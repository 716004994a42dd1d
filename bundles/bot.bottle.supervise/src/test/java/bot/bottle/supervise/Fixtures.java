package bot.bottle.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import bot.bottle.api.approval.ApplyListener;
import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.core.SuperviseCore;

/** A temporary bot-bottle home with bottles, wired like the components wire it. */
final class Fixtures {
    final Path home;
    volatile RoutesValidator validator = new TestRoutesValidator();
    final List<Path> applied = new CopyOnWriteArrayList<>();
    final ApplyListener listener = (bottle, tool, file) -> applied.add(file);

    Fixtures(Path home) {
        this.home = home;
    }

    BottleState bottle(String slug, String routes) throws IOException {
        Path dir = home.resolve("state").resolve(slug);
        Files.createDirectories(dir.resolve("egress"));
        if (routes != null) {
            Files.writeString(dir.resolve("egress/routes.yaml"), routes);
        }
        return BottleState.of(dir);
    }

    Applier applier() {
        return new Applier(() -> validator, () -> List.of(listener));
    }

    SuperviseCore core() {
        return new SuperviseCore(Bottles.underHome(home), applier(), () -> AuditKey.loadOrCreate(home.resolve("keys")));
    }

    Shell shell() {
        return new Shell(core(), "shell", "local:tester");
    }
}
