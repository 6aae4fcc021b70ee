package io.harmonia.expression;

import java.util.ArrayList;
import java.util.List;

/**
 * The placeholders of one template string.
 *
 * <p>Syntax: {@code ${expr}} is a placeholder; <code>$${</code> stands for a literal <code>${</code>. The end of a
 * placeholder is the first <code>}</code> that is neither inside a CEL string literal ({@code '...'}, {@code "..."},
 * their triple-quoted and raw forms, with backslash escapes) nor closes a <code>{</code> opened inside the
 * placeholder, so {@code ${ {'a': 1}.a }} and <code>${ "}" }</code> are single placeholders. A <code>${</code>
 * without its end makes the whole string invalid ({@link #error()}).
 *
 * @param segments literal text and placeholders, in order; empty literals are left out
 * @param error why the string is invalid, or {@code null}
 */
record TemplateString(List<Segment> segments, String error) {

    /**
     * Literal text ({@code expression == null}) or a placeholder ({@code literal == null}; the expression has its
     * surrounding whitespace removed).
     */
    record Segment(String literal, String expression) {
        boolean isPlaceholder() {
            return expression != null;
        }
    }

    /** Quick test: may {@code text} hold a placeholder or an escape? */
    static boolean mayHavePlaceholders(String text) {
        return text.contains("${");
    }

    static TemplateString parse(String text) {
        List<Segment> segments = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (text.startsWith("$${", i)) {
                literal.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = findEnd(text, i + 2);
                if (end < 0) {
                    return new TemplateString(
                            List.of(), "unterminated placeholder at index " + i + ": '${' without its closing '}'");
                }
                if (literal.length() > 0) {
                    segments.add(new Segment(literal.toString(), null));
                    literal.setLength(0);
                }
                segments.add(new Segment(null, text.substring(i + 2, end).strip()));
                i = end + 1;
            } else {
                literal.append(text.charAt(i));
                i++;
            }
        }
        if (literal.length() > 0) {
            segments.add(new Segment(literal.toString(), null));
        }
        return new TemplateString(List.copyOf(segments), null);
    }

    boolean isValid() {
        return error == null;
    }

    /** Is the string exactly one placeholder (nothing before or after it)? */
    boolean isSinglePlaceholder() {
        return segments.size() == 1 && segments.get(0).isPlaceholder();
    }

    boolean hasPlaceholders() {
        return segments.stream().anyMatch(Segment::isPlaceholder);
    }

    /** The text of a string without placeholders, escapes resolved. */
    String literalText() {
        StringBuilder text = new StringBuilder();
        for (Segment segment : segments) {
            if (!segment.isPlaceholder()) {
                text.append(segment.literal());
            }
        }
        return text.toString();
    }

    /** Index of the <code>}</code> that ends the placeholder whose expression starts at {@code from}, or -1. */
    private static int findEnd(String text, int from) {
        int depth = 0;
        int n = text.length();
        int i = from;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipStringLiteral(text, i, from);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
            i++;
        }
        return -1;
    }

    /**
     * Skips the CEL string literal whose opening quote is at {@code quoteAt}; returns the index just past its closing
     * quote, or -1 when it is not closed.
     */
    private static int skipStringLiteral(String text, int quoteAt, int expressionStart) {
        char quote = text.charAt(quoteAt);
        boolean raw = isRawPrefix(text, quoteAt, expressionStart);
        int n = text.length();
        boolean triple = quoteAt + 2 < n && text.charAt(quoteAt + 1) == quote && text.charAt(quoteAt + 2) == quote;
        int i = quoteAt + (triple ? 3 : 1);
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\' && !raw) {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (!triple) {
                    return i + 1;
                }
                if (i + 2 < n && text.charAt(i + 1) == quote && text.charAt(i + 2) == quote) {
                    return i + 3;
                }
            }
            i++;
        }
        return -1;
    }

    /** Is the quote at {@code quoteAt} preceded by a raw-string prefix ({@code r}, {@code R}, {@code br}, {@code rb})? */
    private static boolean isRawPrefix(String text, int quoteAt, int expressionStart) {
        int p = quoteAt - 1;
        boolean raw = false;
        for (int k = 0; k < 2 && p >= expressionStart; k++) {
            char c = text.charAt(p);
            if (c == 'r' || c == 'R') {
                raw = true;
            } else if (c != 'b' && c != 'B') {
                break;
            }
            p--;
        }
        if (!raw) {
            return false;
        }
        // The prefix must start a token: r'x' is raw, but in foo'x' ("foo" followed by a quote) nothing is raw.
        return p < expressionStart || !Character.isJavaIdentifierPart(text.charAt(p));
    }
}
