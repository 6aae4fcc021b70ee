package io.harmonia.domain.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.harmonia.domain.definition.ErrorTypes;
import io.harmonia.domain.definition.ForEach;
import io.harmonia.domain.definition.TaskDefinition;
import io.harmonia.domain.definition.WorkflowDefinition;
import io.harmonia.domain.execution.ExecutionDecider.Decision;
import io.harmonia.domain.execution.ExecutionEvent.ForEachExpanded;
import io.harmonia.domain.execution.ExecutionEvent.StateUpdated;
import io.harmonia.domain.execution.ExecutionEvent.TaskCanceled;
import io.harmonia.domain.execution.ExecutionEvent.TaskCompleted;
import io.harmonia.domain.execution.ExecutionEvent.TaskFailed;
import io.harmonia.domain.execution.ExecutionEvent.TaskScheduled;
import io.harmonia.domain.execution.ExecutionEvent.TaskStarted;
import io.harmonia.domain.expression.EvaluationContext;
import io.harmonia.domain.expression.ExpressionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The decider's rules for for_each: a task fans out into one task per item ({@code <taskId>[<index>]}), and
 * completes with the list of their outputs. Pure, like the decider.
 *
 * <ul>
 *   <li>A decided for_each task (its run_if and condition hold) resolves its list: not a list fails it
 *       ({@code VALIDATION_ERROR}; {@code EXPRESSION_ERROR} when the template fails), more than
 *       {@code harmonia.flow.max-items} items fail it ({@code PAYLOAD_TOO_LARGE}). Otherwise
 *       {@link ForEachExpanded} (the task is then FANNED_OUT) and one {@link TaskScheduled} per item, its input
 *       resolved with {@code item} and {@code index}; an item whose input fails fails at attempt 0 (and so the
 *       task). An empty list completes the task at once with {@code []}.</li>
 *   <li>Items start in index order, at most {@code max_parallel} of one fan-out at once (RUNNING or RETRYING), within
 *       the execution's free slots; they never enter the ready queue (see {@link TaskTable}). Each item has the
 *       task's retry policy and timeout, like a task.</li>
 *   <li>When every item COMPLETED the task completes; its {@link TaskCompleted} carries no output (one item's
 *       output each is already in the events): the state assembles the list once (see
 *       {@link ForEachEvolution#outputs}).</li>
 *   <li>An item that fails for good fails the task at once (fail fast): its other items still running or waiting
 *       are CANCELED ({@value #FOR_EACH_FAILED}), then the task FAILED with the item's error type.</li>
 * </ul>
 * Every rule costs O(log n) per item it touches, except the once-per-fan-out ends (output, fail fast, cancel).
 */
final class ForEachRules {

    /** Why an item was canceled: another item of its task failed for good. */
    static final String FOR_EACH_FAILED = "FOR_EACH_FAILED";

    private ForEachRules() {}

    /** Whether {@code taskId} names an item of a for_each ({@code fetch[3]}). */
    static boolean isItem(String taskId) {
        return taskId.endsWith("]") && taskId.indexOf('[') > 0;
    }

    /** The for_each task of an item: {@code fetch} for {@code fetch[3]}. */
    static String taskOf(String itemId) {
        return itemId.substring(0, itemId.indexOf('['));
    }

    /** The index of an item: 3 for {@code fetch[3]}. */
    static int indexOf(String itemId) {
        return Integer.parseInt(itemId.substring(itemId.indexOf('[') + 1, itemId.length() - 1));
    }

    static String itemId(String taskId, int index) {
        return taskId + "[" + index + "]";
    }

    /** Fans a decided for_each task out: resolves its list and schedules its items. */
    static void expand(TaskDefinition def, int run, EvaluationContext ctx, Decision d, WorkflowDefinition wf,
            Instant now) {
        String id = def.id();
        JsonNode list;
        try {
            list = d.expressions.resolve(TextNode.valueOf(def.forEach().items()), ctx);
        } catch (ExpressionException e) {
            d.add(new TaskFailed(id, run, 0, ErrorTypes.EXPRESSION_ERROR, "for_each of task '" + id + "' failed: "
                    + e.getMessage(), now));
            return;
        }
        if (list == null || !list.isArray()) {
            d.add(new TaskFailed(id, run, 0, ErrorTypes.VALIDATION_ERROR, "for_each of task '" + id + "' ("
                    + def.forEach().items() + ") expected a list, found " + (list == null ? "nothing"
                    : list.getNodeType().toString().toLowerCase()), now));
            return;
        }
        int maxItems = d.decider.limits().flow().maxItems();
        if (list.size() > maxItems) {
            d.add(new TaskFailed(id, run, 0, ErrorTypes.PAYLOAD_TOO_LARGE, "for_each of task '" + id + "' yields "
                    + list.size() + " items, above the limit of " + maxItems + " (harmonia.flow.max-items)", now));
            return;
        }
        int maxParallel = def.forEach().maxParallel() > 0 ? def.forEach().maxParallel() : ForEach.DEFAULT_MAX_PARALLEL;
        d.add(new ForEachExpanded(id, run, list.size(), maxParallel, now));
        if (list.isEmpty()) {
            finish(def, run, d, now);
            return;
        }
        int maxInput = d.decider.limits().maxTaskInputBytes();
        for (int i = 0; i < list.size(); i++) {
            String item = itemId(id, i);
            JsonNode input;
            try {
                input = def.input() == null || def.input().isNull() ? JsonNodeFactory.instance.objectNode()
                        : d.expressions.resolve(def.input(), ctx.withItem(list.get(i), i, ctx.uuidSeed() + "[" + i
                                + "]"));
            } catch (ExpressionException e) {
                d.add(new TaskFailed(item, run, 0, ErrorTypes.EXPRESSION_ERROR, "input of item " + i + " of task '"
                        + id + "' failed: " + e.getMessage(), now));
                return; // fails the task (see after): the items after it are never scheduled
            }
            int size = ExecutionDecider.bytes(input);
            if (size > maxInput) {
                d.add(new TaskFailed(item, run, 0, ErrorTypes.PAYLOAD_TOO_LARGE, "resolved input of item " + i
                        + " of task '" + id + "' is " + size + " bytes, above the limit of " + maxInput, now));
                return;
            }
            d.add(new TaskScheduled(item, run, input, now));
        }
    }

    /** Looks at one event of an item (in order, each once): the last item to end ends its task. */
    static void after(ExecutionEvent.TaskEvent e, Decision d, WorkflowDefinition wf, Instant now) {
        if (!(e instanceof TaskCompleted) && !(e instanceof TaskFailed)) {
            return;
        }
        String taskId = taskOf(e.taskId());
        FanOuts.FanOut f = d.state.fanOuts().of(taskId);
        TaskState task = d.state.task(taskId);
        if (f == null || task.status() != TaskStatus.FANNED_OUT || task.run() != f.run()
                || d.state.task(e.taskId()).run() != f.run()) {
            return; // an item of a fan-out that already ended
        }
        if (e instanceof TaskFailed failed) {
            int index = indexOf(e.taskId());
            String message = "item " + index + " of task '" + taskId + "' failed: " + failed.message();
            cancelItems(d, taskId, f, FOR_EACH_FAILED, message, now);
            d.add(new TaskFailed(taskId, f.run(), 0, failed.errorType(), message, now));
        } else if (f.completed() == f.count()) {
            finish(d.index.task(taskId, wf), f.run(), d, now);
        }
    }

    /** Every item COMPLETED: the task completes (and writes its state mapping with the list as {@code output}). */
    private static void finish(TaskDefinition def, int run, Decision d, Instant now) {
        Limits limits = d.decider.limits();
        JsonNode patch = null;
        if (def.writesState()) {
            try {
                patch = HistoryRules.stateWrite(def, ForEachEvolution.outputs(d.state, def.id()), d, limits, now);
            } catch (io.harmonia.domain.expression.ExpressionException e) {
                d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.EXPRESSION_ERROR, "state mapping of task '"
                        + def.id() + "' failed: " + e.getMessage(), now));
                return;
            } catch (HistoryRules.StateTooLarge e) {
                d.add(new TaskFailed(def.id(), run, 0, ErrorTypes.PAYLOAD_TOO_LARGE, "state mapping of task '"
                        + def.id() + "': " + e.getMessage(), now));
                return;
            }
        }
        d.add(new TaskCompleted(def.id(), run, 0, null, now));
        if (patch != null) {
            d.add(new StateUpdated(def.id(), run, patch, false, now));
        }
        if (def.checkpoint()) {
            d.checkpointAfter = "task:" + def.id();
        }
    }

    /** Cancels the items of a fan-out not yet final (once per fan-out: O(items)). */
    private static void cancelItems(Decision d, String taskId, FanOuts.FanOut f, String reason, String message,
            Instant now) {
        for (int i = 0; i < f.count(); i++) {
            TaskState t = d.state.task(itemId(taskId, i));
            if (t.run() == f.run() && t.status() != TaskStatus.PENDING && !t.status().terminal()) {
                d.add(new TaskCanceled(t.taskId(), t.run(), t.attempt(), reason, message, now));
            }
        }
    }

    /** The for_each tasks waiting for their items, in a fixed order (by task id). */
    private static List<String> fannedOut(ExecutionState s) {
        List<String> ids = new ArrayList<>();
        if (s.table().fannedOut() == 0) {
            return ids;
        }
        for (var entry : s.fanOuts().byTask().entrySet()) {
            TaskState t = s.task(entry.getKey());
            if (t.status() == TaskStatus.FANNED_OUT && t.run() == entry.getValue().run()) {
                ids.add(entry.getKey());
            }
        }
        ids.sort(null);
        return ids;
    }

    /** The execution ends early: the items of every fan-out not yet final are CANCELED (before their tasks). */
    static void endItems(Decision d, String reason, String message, Instant now) {
        for (String taskId : fannedOut(d.state)) {
            cancelItems(d, taskId, d.state.fanOuts().of(taskId), reason, message, now);
        }
    }

    /**
     * A recovery: RUNNING items whose attempt was lost start again as a new attempt (at-least-once), except those in
     * {@code keep}. Looks only at the items started so far of fan-outs with an active item. Returns how many
     * RUNNING items it saw.
     */
    static long recoverItems(Decision d, WorkflowDefinition wf, Set<String> keep, Instant now) {
        long seen = 0;
        for (String taskId : fannedOut(d.state)) {
            FanOuts.FanOut f = d.state.fanOuts().of(taskId);
            for (int i = 0; i < f.started() && f.active() > 0; i++) {
                TaskState t = d.state.task(itemId(taskId, i));
                if (t.status() == TaskStatus.RUNNING && t.run() == f.run()) {
                    seen++;
                    if (!keep.contains(t.taskId())) {
                        d.add(new TaskStarted(t.taskId(), t.run(), t.attempt() + 1,
                                ExecutionDecider.deadline(d, wf, t.taskId(), now), now));
                    }
                }
            }
        }
        return seen;
    }

    /** Starts items waiting for a slot, at most {@code free} and within each task's {@code max_parallel}. */
    static void startItems(Decision d, WorkflowDefinition wf, Instant now, long free) {
        for (String taskId : fannedOut(d.state)) {
            FanOuts.FanOut f = d.state.fanOuts().of(taskId);
            while (free > 0 && f.active() < f.maxParallel() && f.started() < f.count()) {
                String id = itemId(taskId, f.started());
                TaskState t = d.state.task(id);
                if (t.status() != TaskStatus.SCHEDULED || t.run() != f.run()) {
                    break; // an item that failed while decided: its task fails (see after)
                }
                d.add(new TaskStarted(id, t.run(), 1, ExecutionDecider.deadline(d, wf, id, now), now));
                free--;
                f = d.state.fanOuts().of(taskId);
            }
            if (free <= 0) {
                return;
            }
        }
    }
}
