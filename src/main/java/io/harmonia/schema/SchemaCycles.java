package io.harmonia.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds a schema that applies itself to the same value without end: a cycle of {@code $ref} / {@code $dynamicRef} /
 * {@code $recursiveRef} and in-place applicators ({@code allOf}, {@code anyOf}, {@code oneOf}, {@code not},
 * {@code if}/{@code then}/{@code else}, {@code dependentSchemas}) that never descends into a property or an item.
 * {@code {"$ref": "#"}} is the smallest. Validating any value against such a schema recurses until the stack
 * overflows, so it is refused when the schema is checked. References within the schema are followed: JSON pointers
 * ({@code #/$defs/a}), anchors ({@code #name}) and {@code $id}s of subschemas.
 */
final class SchemaCycles {
    private static final int MAX_CHAIN = 500;
    private static final List<String> REFS = List.of("$ref", "$dynamicRef", "$recursiveRef");
    private static final List<String> IN_PLACE_LISTS = List.of("allOf", "anyOf", "oneOf");
    private static final List<String> IN_PLACE_ONE = List.of("not", "if", "then", "else");
    private static final List<String> IN_PLACE_MAPS = List.of("dependentSchemas", "dependencies");

    /** An edge: from a schema, through the keyword at {@code via}, to the schema at {@code to}. */
    private record Edge(String via, String to) {}

    private final Map<String, JsonNode> nodes = new HashMap<>();
    private final Map<String, String> anchors = new HashMap<>();
    private final Map<String, String> ids = new HashMap<>();
    private final Map<String, Integer> state = new HashMap<>();

    private SchemaCycles() {}

    /** The problem of the first cycle found, at the reference that closes it; null when there is none. */
    static SchemaProblem find(JsonNode schema) {
        SchemaCycles cycles = new SchemaCycles();
        cycles.index(schema, "", 0);
        for (String pointer : new ArrayList<>(cycles.nodes.keySet())) {
            List<String> path = new ArrayList<>();
            SchemaProblem p = cycles.visit(pointer, path);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private void index(JsonNode node, String pointer, int depth) {
        if (depth > 200) {
            return;
        }
        if (node.isObject()) {
            nodes.put(pointer, node);
            for (String keyword : List.of("$anchor", "$dynamicAnchor")) {
                JsonNode anchor = node.get(keyword);
                if (anchor != null && anchor.isTextual()) {
                    anchors.putIfAbsent(anchor.textValue(), pointer);
                }
            }
            JsonNode id = node.get("$id");
            if (id != null && id.isTextual()) {
                String text = id.textValue();
                if (text.startsWith("#")) {
                    anchors.putIfAbsent(text.substring(1), pointer);
                } else {
                    ids.putIfAbsent(stripHash(text), pointer);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                index(field.getValue(), pointer + "/" + escape(field.getKey()), depth + 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                index(node.get(i), pointer + "/" + i, depth + 1);
            }
        }
    }

    /** Depth-first: 1 = on the current path, 2 = done (no cycle through it). */
    private SchemaProblem visit(String pointer, List<String> path) {
        Integer s = state.get(pointer);
        if (s != null && s == 2) {
            return null;
        }
        if (path.size() > MAX_CHAIN) {
            return new SchemaProblem(pointer, "references and in-place applicators are chained more than "
                    + MAX_CHAIN + " deep");
        }
        state.put(pointer, 1);
        path.add(pointer);
        for (Edge edge : edges(pointer)) {
            Integer target = state.get(edge.to());
            if (target != null && target == 1) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(edge.to()), path.size()));
                cycle.add(edge.to());
                List<String> shown = new ArrayList<>();
                for (String p : cycle) {
                    shown.add("#" + p);
                }
                return new SchemaProblem(edge.via(), "the schema applies itself to the same value without end (a"
                        + " reference cycle: " + String.join(" -> ", shown) + "); a reference back to an enclosing"
                        + " schema must first descend into a property or an item");
            }
            if (target == null) {
                SchemaProblem p = visit(edge.to(), path);
                if (p != null) {
                    return p;
                }
            }
        }
        path.remove(path.size() - 1);
        state.put(pointer, 2);
        return null;
    }

    private List<Edge> edges(String pointer) {
        JsonNode node = nodes.get(pointer);
        List<Edge> edges = new ArrayList<>();
        if (node == null) {
            return edges;
        }
        for (String keyword : REFS) {
            JsonNode ref = node.get(keyword);
            if (ref != null && ref.isTextual()) {
                String target = resolve(ref.textValue(), keyword);
                if (target != null && nodes.containsKey(target)) {
                    edges.add(new Edge(pointer + "/" + escape(keyword), target));
                }
            }
        }
        for (String keyword : IN_PLACE_LISTS) {
            JsonNode list = node.get(keyword);
            if (list != null && list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    add(edges, pointer + "/" + keyword + "/" + i);
                }
            }
        }
        for (String keyword : IN_PLACE_ONE) {
            add(edges, pointer + "/" + keyword);
        }
        for (String keyword : IN_PLACE_MAPS) {
            JsonNode map = node.get(keyword);
            if (map != null && map.isObject()) {
                map.fieldNames().forEachRemaining(name -> add(edges, pointer + "/" + keyword + "/" + escape(name)));
            }
        }
        return edges;
    }

    private void add(List<Edge> edges, String target) {
        if (nodes.containsKey(target)) {
            edges.add(new Edge(target, target));
        }
    }

    /** The pointer a reference leads to within this schema, or null when it leads elsewhere. */
    private String resolve(String ref, String keyword) {
        int hash = ref.indexOf('#');
        String base = hash < 0 ? ref : ref.substring(0, hash);
        String fragment = hash < 0 ? "" : ref.substring(hash + 1);
        String basePointer = "";
        if (!base.isEmpty()) {
            basePointer = null;
            for (Map.Entry<String, String> id : ids.entrySet()) {
                if (id.getKey().equals(base) || id.getKey().endsWith("/" + base)) {
                    basePointer = id.getValue();
                    break;
                }
            }
            if (basePointer == null) {
                return null;
            }
        }
        if (fragment.isEmpty()) {
            return "$recursiveRef".equals(keyword) ? "" : basePointer;
        }
        if (fragment.startsWith("/")) {
            try {
                return basePointer + URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return basePointer + fragment;
            }
        }
        return anchors.get(fragment);
    }

    private static String stripHash(String s) {
        return s.endsWith("#") ? s.substring(0, s.length() - 1) : s;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
