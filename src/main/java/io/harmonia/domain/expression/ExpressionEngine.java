package io.harmonia.domain.expression;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * Evaluates the expressions of workflow definitions: conditions (plain expressions, optionally wrapped in
 * {@code ${...}}) and templates (any JSON value whose strings may hold {@code ${...}} placeholders).
 *
 * <p>Implementations are pure and sandboxed: the same expression and context always give the same result, nothing
 * reads a clock or a random source (both come in through the {@link EvaluationContext}), and evaluation terminates.
 */
public interface ExpressionEngine {

    /**
     * Compile-checks one expression (no {@code ${}} wrapper). Returns the problems found, empty when it compiles.
     */
    List<String> check(String expression);

    /**
     * Compile-checks every {@code ${...}} placeholder inside a JSON template. Each problem names the JSON pointer of
     * the string that holds the placeholder, relative to {@code template} (for example {@code /items/0}).
     */
    List<ExpressionProblem> checkTemplate(JsonNode template);

    /**
     * {@link #check(String)}, and a problem when the expression reads one of the {@code unbound} variables (those
     * not in scope where it is evaluated: {@code output} is bound only in a task's {@code state} mapping).
     */
    default List<String> check(String expression, Set<String> unbound) {
        return check(expression);
    }

    /** {@link #checkTemplate(JsonNode)}, and a problem for every placeholder that reads an {@code unbound} variable. */
    default List<ExpressionProblem> checkTemplate(JsonNode template, Set<String> unbound) {
        return checkTemplate(template);
    }

    /**
     * Resolves a template: a string that is exactly one {@code ${expr}} yields the raw JSON value of {@code expr};
     * {@code ${...}} inside a longer string is interpolated as text; objects and arrays are resolved member by member.
     *
     * @throws ExpressionException when an expression fails at run time or its result is too large
     */
    JsonNode resolve(JsonNode template, EvaluationContext context);

    /**
     * Evaluates a condition; it must yield a boolean.
     *
     * @throws ExpressionException when evaluation fails or the result is not a boolean
     */
    boolean test(String condition, EvaluationContext context);

    /**
     * A view of this engine whose {@code resolve} and {@code test} calls all draw on one evaluation budget (cost,
     * number of expressions, time), which starts with this call: take one per decision, so that many fields or many
     * tasks cannot multiply the budget of a single call. For one thread. Without a view every call has its own budget.
     */
    default ExpressionEngine withSharedBudget() {
        return this;
    }

    /** A problem found while checking a template: where it is and why. */
    record ExpressionProblem(String pointer, String expression, String reason) {}
}
