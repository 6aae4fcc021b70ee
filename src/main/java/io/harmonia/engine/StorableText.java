package io.harmonia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.harmonia.domain.definition.Problem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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
        walk(body, "", problems);
        JsonNode name = body.get("name");
        if (name != null && name.isTextual() && name.textValue().length() > maxNameLength) {
            problems.add(new Problem("/name", "expected a name of at most " + maxNameLength + " characters, found "
                    + name.textValue().length()));
        }
        return problems;
    }

    private static void walk(JsonNode node, String pointer, List<Problem> problems) {
        if (problems.size() >= MAX_PROBLEMS) {
            return;
        }
        if (node.isTextual()) {
            String why = unstorable(node.textValue());
            if (why != null) {
                problems.add(new Problem(pointer, "the text contains " + why
                        + ", which cannot be stored; remove it"));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                String why = unstorable(field.getKey());
                if (why != null && problems.size() < MAX_PROBLEMS) {
                    problems.add(new Problem(child, "the property name contains " + why
                            + ", which cannot be stored; remove it"));
                }
                walk(field.getValue(), child, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, problems);
            }
        }
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
