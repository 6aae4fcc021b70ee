package io.harmonia.domain.execution;

/**
 * The task of a parent execution that started this one as a sub-workflow ({@code workflow.run}).
 *
 * @param executionId the parent execution
 * @param taskId the parent's task (or step) that waits for this one
 * @param run that task's run
 * @param depth how deep this execution is nested: 1 for a child of a top-level execution
 */
public record ParentLink(String executionId, String taskId, int run, int depth) {}
