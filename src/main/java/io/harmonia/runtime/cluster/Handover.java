package io.harmonia.runtime.cluster;

import java.util.List;

/**
 * What the previous owner of a partition left for the next one. {@code clean} when it released the partition with
 * nothing of it in flight: then the attempts it recorded as started but never sent ({@code undispatched}) are sent
 * by the next owner as they are, and no attempt is started again. Not clean (the owner died, or its handover timed
 * out): the next owner restarts the attempts that were running (at-least-once).
 */
public record Handover(boolean clean, List<Attempt> undispatched) {

    /** One attempt of a task: the execution, the task, its run and attempt number. */
    public record Attempt(String executionId, String taskId, int run, int attempt) {}

    public static final Handover UNCLEAN = new Handover(false, List.of());

    public Handover {
        undispatched = List.copyOf(undispatched);
    }
}
