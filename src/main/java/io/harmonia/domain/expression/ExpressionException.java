package io.harmonia.domain.expression;

/** An expression failed at run time (or yielded a value it may not). The message names the expression. */
public final class ExpressionException extends RuntimeException {
    private final String expression;

    public ExpressionException(String expression, String message) {
        super(message);
        this.expression = expression;
    }

    public ExpressionException(String expression, String message, Throwable cause) {
        super(message, cause);
        this.expression = expression;
    }

    public String expression() {
        return expression;
    }
}
