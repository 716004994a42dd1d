package bot.bottle.gitgate.testing;

import java.lang.reflect.Method;

import bot.bottle.supervise.osgi.ProposalQueueService;

/** The supervise bundle's real {@code ProposalQueue} service, constructed and stopped as DS would. */
public final class Approvals implements AutoCloseable {

    private final ProposalQueueService service = new ProposalQueueService();

    public ProposalQueueService service() {
        return service;
    }

    /** Calls the package-private {@code @Deactivate} method, which stops the service's polling thread. */
    @Override
    public void close() {
        try {
            Method stop = ProposalQueueService.class.getDeclaredMethod("stop");
            stop.setAccessible(true);
            stop.invoke(service);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
