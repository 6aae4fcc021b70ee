package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The expression sandbox. The budgets ({@link #maxCost}, {@link #maxExpressions}, {@link #maxEvaluationTime}) hold
 * for one evaluation: one task's condition, one task's input template, or one output mapping (and, once the decider
 * shares a budget across a decision, for all of them together).
 */
@ConfigMapping(prefix = "harmonia.expressions")
public interface ExpressionConfig {

    /** The largest value one expression may produce, in bytes. */
    @WithDefault("1048576")
    int maxResultBytes();

    /** The iteration budget of all comprehensions (map, filter, all, exists...) in one expression. */
    @WithDefault("10000")
    int maxComprehensionIterations();

    /** The longest expression text accepted. */
    @WithDefault("4096")
    int maxExpressionLength();

    /**
     * The cost units one evaluation may spend: each evaluated node and function call costs 1,000, each character a
     * function reads or builds 1 (50 for the string extension's functions), a search haystack x needle characters,
     * a regex scan (characters + 1) x program size x 50. The default is about 20-50 ms of work on one core.
     */
    @WithDefault("50000000")
    long maxCost();

    /** The longest string (UTF-16 characters) or byte string a function may build ({@code +}, replace, join...). */
    @WithDefault("1048576")
    int maxStringLength();

    /** The most entries a list or map built by a function may have ({@code +}, split...). */
    @WithDefault("100000")
    int maxListSize();

    /** The most expressions (placeholders and conditions) one evaluation may run. */
    @WithDefault("1000")
    int maxExpressions();

    /**
     * The wall-clock time expressions may run in one evaluation (compilation not included): a safety net behind the
     * cost budget. {@code 0} turns it off.
     */
    @WithDefault("500ms")
    Duration maxEvaluationTime();

    /**
     * The cost units all evaluations of one decision (the conditions, task inputs and output mapping one command
     * leads to) may spend together, when the decider shares a budget across the decision.
     */
    @WithDefault("200000000")
    long maxCostPerDecision();
}
