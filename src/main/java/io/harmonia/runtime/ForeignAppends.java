package io.harmonia.runtime;

import io.harmonia.domain.execution.ExecutionEvent.CheckpointCreated;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCanceled;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionDerived;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionCompleted;
import io.harmonia.domain.execution.ExecutionEvent.ExecutionFailed;
import io.harmonia.eventstore.LiveFeed;
import io.harmonia.eventstore.RecordedEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import io.harmonia.runtime.cluster.Ownership;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * How the owner of an execution learns of events another replica appended to it (a pause, a resume or a cancel
 * that reached another replica, a Kafka worker's result consumed there, a start on a replica that owned no
 * partition): it reads every page of the global feed and, for each execution it owns whose stream went past what
 * it holds in memory, catches up and acts on the new events (sends the attempts they started, arms their timers).
 * Its own appends are already held, so they cost nothing here; a finished execution not held needs nothing.
 */
@ApplicationScoped
public class ForeignAppends {
    private static final Logger LOG = Logger.getLogger(ForeignAppends.class);
    private static final String PREFIX = "execution-";
    private static final Set<String> FINISHED = Set.of(ExecutionCompleted.class.getSimpleName(),
            ExecutionFailed.class.getSimpleName(), ExecutionCanceled.class.getSimpleName());
    /**
     * Events that ask nothing of the owner: a link to a replay or a restore, a checkpoint. A stream whose new events
     * are only these is not loaded when it is not held (a bulk replay appends an ExecutionDerived to every source).
     */
    private static final Set<String> WITHOUT_EFFECTS = Set.of(ExecutionDerived.class.getSimpleName(),
            CheckpointCreated.class.getSimpleName());

    private final ExecutionEngine engine;
    private final Ownership ownership;

    private final LiveFeed feed;

    public ForeignAppends(ExecutionEngine engine, Ownership ownership, LiveFeed feed) {
        this.engine = engine;
        this.ownership = ownership;
        this.feed = feed;
    }

    void onStart(@Observes StartupEvent ignored) {
        feed.subscribe(this::onPage);
    }

    /** A page of the global feed, in order. Quick: catching up is queued on each execution's lane. */
    public void onPage(List<RecordedEvent> page) {
        Map<String, RecordedEvent> last = new HashMap<>();
        Set<String> withEffects = new java.util.HashSet<>();
        for (RecordedEvent e : page) {
            if (e.streamId().startsWith(PREFIX)) {
                String id = e.streamId().substring(PREFIX.length());
                last.put(id, e);
                if (!WITHOUT_EFFECTS.contains(e.type())) {
                    withEffects.add(id);
                }
            }
        }
        for (Map.Entry<String, RecordedEvent> entry : last.entrySet()) {
            String id = entry.getKey();
            RecordedEvent e = entry.getValue();
            int partition;
            try {
                partition = ownership.partitionOf(id);
            } catch (IllegalArgumentException notAnId) {
                continue;
            }
            if (!engine.owns(partition)) {
                continue;
            }
            long held = engine.versionHeld(id);
            if (held >= e.streamVersion()
                    || (held < 0 && (FINISHED.contains(e.type()) || !withEffects.contains(id)))) {
                continue;
            }
            engine.refresh(id).subscribe().with(d -> { }, err -> LOG.warnf(
                    "could not catch up with execution %s (appended to by another replica): %s", id,
                    err.toString()));
        }
    }
}
