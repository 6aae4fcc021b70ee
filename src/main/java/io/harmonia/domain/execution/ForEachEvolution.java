package io.harmonia.domain.execution;

import io.harmonia.domain.execution.ExecutionEvent.ForEachExpanded;
import java.util.HashMap;
import java.util.Map;

/** How for_each events change an execution's state (see {@link FanOuts}). Pure. */
final class ForEachEvolution {

    private ForEachEvolution() {}

    static ExecutionState expanded(ExecutionState s, ForEachExpanded e, long v) {
        Map<String, FanOuts.FanOut> byTask = new HashMap<>(s.fanOuts().byTask());
        byTask.put(e.taskId(), new FanOuts.FanOut(e.run(), e.count(), e.maxParallel()));
        return s.withFanOuts(new FanOuts(byTask), v);
    }
}
