package io.harmonia.runtime;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Takes up executions, {@code concurrency} at a time; one that fails is logged and the others go on. */
final class TakeUps {
    private static final Logger LOG = Logger.getLogger(TakeUps.class);

    private TakeUps() {}

    /** Returns how many were taken up (failures included); {@code where} names them in the log. */
    static Uni<Long> all(List<String> ids, int concurrency, Function<String, Uni<?>> takeUp, String where) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return Multi.createFrom().iterable(ids)
                .onItem().transformToUni(id -> takeUp.apply(id).replaceWithVoid().onFailure().recoverWithItem(err -> {
                    LOG.errorf("could not take up execution %s%s: %s", id, where, err.toString());
                    return null;
                }))
                .merge(concurrency)
                .collect().with(Collectors.counting());
    }
}
