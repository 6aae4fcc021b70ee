package io.harmonia.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A syntax error in a JSON body, in words for users: where it is and what was found, no parser internals. */
final class JsonErrors {
    private static final Pattern SOURCE = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");
    private static final Pattern CODE_NOTE = Pattern.compile("\\s*\\([^()]*`[^`]*`[^()]*\\)");
    private static final Pattern CODE = Pattern.compile("`[^`]*`");
    private static final Pattern LIMIT = Pattern.compile("maximum (?:allowed )?(?:\\(|length \\()?(\\d+)");
    private static final int MAX_CHARS = 300;

    private JsonErrors() {}

    static String describe(JsonProcessingException e) {
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return "The JSON document is over a limit" + where + ": " + constraint(original);
        }
        if (original.startsWith("No content to map")) {
            return "Expected a JSON document, found an empty body";
        }
        return "Expected a JSON document, found a syntax error" + where + ": " + words(original);
    }

    private static String constraint(String message) {
        Matcher m = LIMIT.matcher(message);
        String limit = m.find() ? m.group(1) : "the limit";
        String lower = message.toLowerCase();
        if (lower.contains("nesting depth")) {
            return "arrays and objects are nested deeper than " + limit + " levels";
        }
        if (lower.contains("string value length")) {
            return "a string is longer than " + limit + " characters";
        }
        if (lower.contains("number value length")) {
            return "a number is longer than " + limit + " digits";
        }
        if (lower.contains("name length")) {
            return "a property name is longer than " + limit + " characters";
        }
        if (lower.contains("document length")) {
            return "the document is longer than " + limit + " characters";
        }
        return words(message);
    }

    /** The parser's message without source excerpts, class or feature names, on one line, bounded. */
    static String words(String message) {
        String s = SOURCE.matcher(message).replaceAll("line $1, column $2");
        s = CODE_NOTE.matcher(s).replaceAll("");
        s = CODE.matcher(s).replaceAll("the value");
        s = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > MAX_CHARS ? b + "..." : b.toString();
    }
}
