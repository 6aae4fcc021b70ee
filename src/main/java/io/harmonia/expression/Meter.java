package io.harmonia.expression;

/**
 * The budget of one evaluation (one {@code resolve}/{@code test} call, all placeholders of a template together), or,
 * made by {@link #forDecision}, the cost budget of one decision that the evaluations of a
 * {@link CelExpressionEngine#withSharedBudget()} view charge as well. Used by one thread at a time.
 *
 * <p>Four limits, each refused with a {@link LimitExceeded} whose message names the limit and its property:
 * <ul>
 *   <li>cost units ({@code harmonia.expressions.max-cost}): every evaluated expression node, every function call
 *       (in proportion to the sizes it reads and writes) and every regex scan (characters x program size) is
 *       charged <em>before</em> the work is done, so one call can never run far past the budget;</li>
 *   <li>expressions ({@code harmonia.expressions.max-expressions}): how many expressions (placeholders,
 *       conditions) the scope evaluates;</li>
 *   <li>string length and list size ({@code max-string-length}, {@code max-list-size}) of every value a function
 *       builds, checked before it is built where the size is known in advance ({@code +}, {@code replace},
 *       {@code join}, {@code split}, {@code toJson});</li>
 *   <li>wall-clock time ({@code harmonia.expressions.max-evaluation-time}) spent running expressions: a safety net
 *       for work the cost model underestimates, looked at every 4,096 cost units and every 4,096 characters a regex
 *       reads.</li>
 * </ul>
 */
final class Meter {

    static final String MAX_COST = "harmonia.expressions.max-cost";
    static final String MAX_EXPRESSIONS = "harmonia.expressions.max-expressions";
    static final String MAX_STRING_LENGTH = "harmonia.expressions.max-string-length";
    static final String MAX_LIST_SIZE = "harmonia.expressions.max-list-size";
    static final String MAX_EVALUATION_TIME = "harmonia.expressions.max-evaluation-time";
    static final String MAX_COST_PER_DECISION = "harmonia.expressions.max-cost-per-decision";

    /** How many cost units may be charged between two looks at the clock. */
    private static final long CLOCK_EVERY = 4_096;

    /**
     * A limit of this scope was reached; the message names it. An {@link Error}, not an exception, so that nothing
     * inside CEL can swallow it: its non-strict {@code ||} and {@code &&} turn an operand's exception into an error
     * value and go on with the other operands, which would let one field pay the refused work again and again.
     * {@link CelExpressionEngine} catches it and reports an {@code ExpressionException}.
     */
    static final class LimitExceeded extends Error {
        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    private final CelExpressionEngine.Limits limits;
    /** The decision this evaluation belongs to, charged too; {@code null} for a lone evaluation. */
    private final Meter decision;
    private final long maxCost;
    private final String costScope;
    private final long maxNanos;
    private long usedNanos;
    private long runningSince;
    private boolean running;
    private long spent;
    private long nextClockLook = CLOCK_EVERY;
    private int expressions;

    /** The meter of one lone evaluation. */
    Meter(CelExpressionEngine.Limits limits) {
        this(limits, null);
    }

    /** The meter of one evaluation that is part of {@code decision} (whose cost it is charged as well). */
    Meter(CelExpressionEngine.Limits limits, Meter decision) {
        this.limits = limits;
        this.decision = decision;
        this.maxCost = limits.maxCost();
        this.costScope = "units per evaluation (" + MAX_COST + ")";
        this.maxNanos = limits.maxEvaluationMillis() == 0 ? Long.MAX_VALUE : limits.maxEvaluationMillis() * 1_000_000L;
    }

    /**
     * Starts the clock: the time budget counts only the time expressions run, not their compilation (paid in cost
     * units) nor the set-up of the evaluation, so a cold JVM does not fail expressions that are cheap.
     */
    void startClock() {
        running = true;
        runningSince = System.nanoTime();
    }

    void stopClock() {
        if (running) {
            usedNanos += System.nanoTime() - runningSince;
            running = false;
        }
    }

    int maxStringLength() {
        return limits.maxStringLength();
    }

    /** The meter of one decision: its cost only; its evaluations have their own meters, which charge it too. */
    static Meter forDecision(CelExpressionEngine.Limits limits) {
        return new Meter(limits, limits.maxCostPerDecision(), "units per decision (" + MAX_COST_PER_DECISION + ")");
    }

    private Meter(CelExpressionEngine.Limits limits, long maxCost, String costScope) {
        this.limits = limits;
        this.decision = null;
        this.maxCost = maxCost;
        this.costScope = costScope;
        this.maxNanos = Long.MAX_VALUE;
    }

    /** Cost units charged so far. */
    long spent() {
        return spent;
    }

    /** Counts one more expression evaluated in this scope. */
    void countExpression() {
        if (++expressions > limits.maxExpressions()) {
            throw new LimitExceeded("the evaluation has more than " + limits.maxExpressions()
                    + " expressions (placeholders and conditions), the limit " + MAX_EXPRESSIONS);
        }
    }

    /** Charges {@code units} for {@code what}; refuses when the budget would be exceeded. */
    void charge(long units, String what) {
        long total = spent + Math.max(0, units);
        if (total < 0 || total > maxCost) {
            throw new LimitExceeded(what + " needs " + Math.max(0, units) + " cost units, " + spent
                    + " are spent already: above the cost budget of " + maxCost + " " + costScope);
        }
        if (decision != null) {
            decision.charge(units, what);
        }
        spent = total;
        if (spent >= nextClockLook) {
            nextClockLook = spent + CLOCK_EVERY;
            checkClock();
        }
    }

    /** Refuses a string of {@code length} characters built by {@code what}. */
    void checkString(long length, String what) {
        if (length > limits.maxStringLength()) {
            throw new LimitExceeded(what + " would build a string of " + length + " characters, above the limit of "
                    + limits.maxStringLength() + " characters (" + MAX_STRING_LENGTH + ")");
        }
    }

    /** Refuses a list or map of {@code size} entries built by {@code what}. */
    void checkList(long size, String what) {
        if (size > limits.maxListSize()) {
            throw new LimitExceeded(what + " would build a list or map of " + size + " entries, above the limit of "
                    + limits.maxListSize() + " entries (" + MAX_LIST_SIZE + ")");
        }
    }

    /** Refuses to go on past the wall-clock deadline. */
    void checkClock() {
        if (maxNanos != Long.MAX_VALUE && running && usedNanos + (System.nanoTime() - runningSince) > maxNanos) {
            throw new LimitExceeded("the evaluation ran out of its time budget of " + limits.maxEvaluationMillis()
                    + " ms (" + MAX_EVALUATION_TIME + ") after " + spent + " cost units");
        }
    }

    /**
     * {@code text} for a regex engine to read: every 4,096 characters read, the clock is looked at, so a scan the
     * cost model underestimates still stops at the deadline.
     */
    CharSequence watched(String text) {
        return new WatchedText(text, 0, text.length());
    }

    private final class WatchedText implements CharSequence {
        private final String text;
        private final int from;
        private final int to;
        private int reads;

        WatchedText(String text, int from, int to) {
            this.text = text;
            this.from = from;
            this.to = to;
        }

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 4095) == 0) {
                checkClock();
            }
            return text.charAt(from + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new WatchedText(text, from + start, from + end);
        }

        @Override
        public String toString() {
            return text.substring(from, to);
        }
    }
}
