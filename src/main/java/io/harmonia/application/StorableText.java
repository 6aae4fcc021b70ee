package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * What a workflow definition must be to be stored: Postgres text and jsonb cannot hold a NUL character (U+0000) nor
 * an unpaired UTF-16 surrogate, in a value or in a property name; the name is indexed and bounded.
 */
final class StorableText {
    private static final int MAX_PROBLEMS = 20;

    private StorableText() {}

    /** The problems of a definition body, with pointers into it; empty when it can be stored. */
    static List<Problem> check(JsonNode body, int maxNameLength) {
        List<Problem> problems = new ArrayList<>();
        if (body == null) {
            return problems;
        }
        JsonTexts.walk(body, "", (pointer, text, propertyName) -> {
            String why = unstorable(text);
            if (why != null) {
                problems.add(new Problem(pointer, (propertyName ? "the property name contains " : "the text contains ")
                        + why + ", which cannot be stored; remove it"));
            }
            return problems.size() < MAX_PROBLEMS;
        });
        JsonNode name = body.get("name");
        if (name != null && name.isTextual() && name.textValue().length() > maxNameLength) {
            problems.add(new Problem("/name", "expected a name of at most " + maxNameLength + " characters, found "
                    + name.textValue().length()));
        }
        return problems;
    }

    /** Why a string cannot be stored, or null. */
    private static String unstorable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "a NUL character (U+0000) at index " + i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "an unpaired UTF-16 surrogate (U+" + Integer.toHexString(c).toUpperCase() + ") at index " + i;
            }
            if (Character.isLowSurrogate(c)) {
                return "an unpaired UTF-16 surrogate (U+" + Integer.toHexString(c).toUpperCase() + ") at index " + i;
            }
        }
        return null;
    }
}
