package bot.bottle.supervise.osgi;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import bot.bottle.api.approval.ApplyListener;
import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.SuperviseCore;

/** Wires the plain-Java core from what the components hold. */
final class Runtime {

    private Runtime() {
    }

    static SuperviseCore core(Path home, Supplier<List<BottleState>> bottles, Supplier<RoutesValidator> validator,
            Supplier<List<ApplyListener>> listeners) {
        Applier applier = new Applier(validator, listeners);
        return new SuperviseCore(bottles, applier, () -> AuditKey.loadOrCreate(home.resolve("keys")));
    }

    static Supplier<List<BottleState>> bottles(Path home, String stateOption) {
        return stateOption == null || stateOption.isBlank() ? Bottles.underHome(home)
                : Bottles.single(Path.of(stateOption));
    }
}
