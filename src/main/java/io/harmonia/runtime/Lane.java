package io.harmonia.runtime;

import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionState;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One execution's place in the engine: its hot state and the queue of work waiting to be decided. Work for one
 * execution is decided strictly one item at a time; different executions proceed in parallel.
 */
final class Lane {
    final String executionId;
    final Queue<Runnable> queue = new ArrayDeque<>();
    boolean busy;
    /** Null until loaded from the store. */
    ExecutionState state;
    WorkflowDefinition workflow;

    Lane(String executionId) {
        this.executionId = executionId;
    }
}
