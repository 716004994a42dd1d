package bot.bottle.supervise.osgi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.supervise.queue.Awaiter;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Tool;

/**
 * The sidecar producers' way into the supervise queue: writes a report-only proposal and completes its
 * stage from one polling thread, so a held request or push costs no thread while it waits.
 */
@Component(service = ProposalQueue.class)
public final class ProposalQueueService implements ProposalQueue {
    static final long POLL_MILLIS = 250;
    static final Duration GRACE = Duration.ofSeconds(10);

    private record Waiting(Awaiter awaiter, CompletableFuture<Outcome> result) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bot-bottle-proposal-queue");
        t.setDaemon(true);
        return t;
    });

    public ProposalQueueService() {
        poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<Outcome> submit(Path queueDir, String bottle, String tool, String payload,
            String justification, Duration timeout) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Optional<Tool> t = Tool.byWireName(tool).filter(k -> !k.modifiable());
        if (t.isEmpty()) {
            result.complete(new Outcome(false, "error", "not a report-only proposal kind: " + tool));
            return result;
        }
        try {
            QueueDir queue = new QueueDir(queueDir);
            Proposal p = Proposal.create(bottle, t.get(), payload, justification, payload);
            queue.write(p);
            waiting.put(p.id(), new Waiting(new Awaiter(queue, p.id(), timeout, GRACE), result));
        } catch (IOException | RuntimeException e) {
            result.complete(new Outcome(false, "error", "cannot queue the proposal: " + e.getMessage()));
        }
        return result;
    }

    private void poll() {
        for (Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator(); it.hasNext();) {
            Waiting w = it.next().getValue();
            Outcome o;
            try {
                o = w.awaiter().check().map(ProposalQueueService::outcome).orElse(null);
            } catch (IOException | RuntimeException e) {
                o = new Outcome(false, "error", "the supervise queue failed: " + e.getMessage());
            }
            if (o != null) {
                it.remove();
                w.result().complete(o);
            }
        }
    }

    static Outcome outcome(Awaiter.Verdict v) {
        return switch (v.kind()) {
            case ANSWERED -> new Outcome(v.response().status().allows(), v.response().status().wireName(),
                    v.response().notes());
            case MALFORMED -> new Outcome(false, "malformed", "unreadable response (" + v.detail() + ")");
            case TIMEOUT -> new Outcome(false, "timeout", "no operator decision in time");
            case LOST_CLAIM -> new Outcome(false, "error", "the operator started deciding but never answered");
        };
    }

    @Deactivate
    void stop() {
        poller.shutdownNow();
        waiting.values().forEach(w -> w.result().complete(new Outcome(false, "error", "supervise is stopping")));
        waiting.clear();
    }
}
