package io.harmonia.application;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** Walks every string of a JSON document, values and property names, with its JSON pointer. */
final class JsonTexts {
    private JsonTexts() {}

    /** What to do with one string; returns false to stop the walk. */
    interface Visitor {
        boolean visit(String pointer, String text, boolean propertyName);
    }

    /** Visits the strings under {@code node}, whose pointer is {@code pointer}, until the visitor says stop. */
    static boolean walk(JsonNode node, String pointer, Visitor visitor) {
        if (node == null) {
            return true;
        }
        if (node.isTextual()) {
            return visitor.visit(pointer, node.textValue(), false);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                if (!visitor.visit(child, field.getKey(), true) || !walk(field.getValue(), child, visitor)) {
                    return false;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (!walk(node.get(i), pointer + "/" + i, visitor)) {
                    return false;
                }
            }
        }
        return true;
    }
}
