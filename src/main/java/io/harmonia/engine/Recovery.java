package io.harmonia.engine;

import io.harmonia.config.EngineConfig;
import io.harmonia.projection.executions.ExecutionReadModel;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * At start, every unfinished execution is loaded again: attempts that were running when the previous process died
 * start again as new attempts (at-least-once), and retry and timeout timers are re-armed from the events.
 */
@ApplicationScoped
public class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class);

    private final ExecutionReadModel readModel;
    private final ExecutionEngine engine;
    private final EngineConfig config;

    public Recovery(ExecutionReadModel readModel, ExecutionEngine engine, EngineConfig config) {
        this.readModel = readModel;
        this.engine = engine;
        this.config = config;
    }

    void onStart(@Observes StartupEvent ignored) {
        if (!config.recoverOnStart()) {
            return;
        }
        readModel.unfinished()
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUni(id -> engine.recover(id)
                        .onFailure().recoverWithItem(err -> {
                            LOG.errorf("could not recover execution %s: %s", id, err.getMessage());
                            return null;
                        }))
                .merge(16)
                .collect().with(java.util.stream.Collectors.counting())
                .subscribe().with(n -> {
                    if (n > 0) {
                        LOG.infof("recovered %d unfinished executions", n);
                    }
                }, err -> LOG.error("recovery of unfinished executions failed", err));
    }
}
