package io.harmonia.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * JSON Schema checks for task inputs and outputs, on top of the networknt validator.
 *
 * <ul>
 *   <li>Draft 2020-12 by default; a {@code $schema} naming draft-07 or 2019-09 (or draft-04 / draft-06) is honoured,
 *       any other {@code $schema} is reported as a problem.
 *   <li>No network access: only the meta-schemas bundled with the validator are loaded. A {@code $ref} to any other
 *       schema (remote or relative) is reported as a problem; it is never fetched.
 *   <li>Problems carry an RFC 6901 JSON pointer and a short message ({@code required property 'n' is missing},
 *       {@code expected integer, found string}).
 *   <li>Compiled schemas are cached (bounded, least recently used first out), keyed by the schema's canonical JSON.
 * </ul>
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class JsonSchemas {

    /** How many compiled schemas are kept by default. */
    public static final int DEFAULT_CACHE_SIZE = 512;

    /** The JSON Schema dialects understood, by meta-schema IRI. */
    enum Dialect {
        DRAFT_4("http://json-schema.org/draft-04/schema", "draft-04"),
        DRAFT_6("http://json-schema.org/draft-06/schema", "draft-06"),
        DRAFT_7("http://json-schema.org/draft-07/schema", "draft-07"),
        DRAFT_2019_09("https://json-schema.org/draft/2019-09/schema", "2019-09"),
        DRAFT_2020_12("https://json-schema.org/draft/2020-12/schema", "2020-12");

        final String iri;
        final String label;

        Dialect(String iri, String label) {
            this.iri = iri;
            this.label = label;
        }

        /** The dialect a {@code $schema} value names, or null when it names none of these. */
        static Dialect of(String schemaKeyword) {
            String wanted = normalize(schemaKeyword);
            for (Dialect dialect : values()) {
                if (normalize(dialect.iri).equals(wanted)) {
                    return dialect;
                }
            }
            return null;
        }

        private static String normalize(String iri) {
            String s = iri.trim();
            while (s.endsWith("#") || s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            s = s.toLowerCase(Locale.ROOT);
            if (s.startsWith("https://")) {
                s = s.substring("https://".length());
            } else if (s.startsWith("http://")) {
                s = s.substring("http://".length());
            }
            return s;
        }
    }

    /** Where the bundled meta-schemas are mapped to (by the validator's default mapper). */
    private static final List<String> BUNDLED = List.of(
            "classpath:draft-04/", "classpath:draft-06/", "classpath:draft-07/",
            "classpath:draft/2019-09/", "classpath:draft/2020-12/");

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private static final Pattern NOT_LOADED = Pattern.compile("Schema from '([^']*)' is not allowed to be loaded");
    private static final Pattern ALTERNATIVE = Pattern.compile("^(.*/(?:anyOf|oneOf))/(\\d+)(/.*)?$");
    private static final Pattern REFERENCE = Pattern.compile("Reference (\\S+) cannot be resolved");
    private static final int MAX_VALUE_CHARS = 120;

    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final Map<Dialect, JsonSchema> metaSchemas = new ConcurrentHashMap<>();
    private final Map<String, Compiled> cache;

    /** A compiled schema, or why it does not compile. */
    private record Compiled(JsonSchema schema, List<SchemaProblem> problems) {}

    public JsonSchemas() {
        this(DEFAULT_CACHE_SIZE);
    }

    /** @param cacheSize how many compiled schemas to keep (at least 1) */
    public JsonSchemas(int cacheSize) {
        int size = Math.max(1, cacheSize);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
                return size() > size;
            }
        };
        // Only the bundled meta-schemas may be loaded: any other IRI (http, https, file, other classpath
        // resources) fails at once with an InvalidSchemaException instead of being fetched.
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
                .schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(JsonSchemas::isBundled))));
        this.config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .build();
    }

    private static boolean isBundled(com.networknt.schema.AbsoluteIri iri) {
        String text = iri.toString();
        for (String prefix : BUNDLED) {
            if (text.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that {@code schema} is a valid JSON Schema: against its dialect's meta-schema, then by compiling it
     * (which resolves its {@code $ref}s). Null, an empty object and {@code true} are valid (they accept anything).
     *
     * @return the problems, with pointers into the schema; empty when the schema is valid
     */
    public List<SchemaProblem> checkSchema(JsonNode schema) {
        if (acceptsAnything(schema) || schema.isBoolean()) {
            return List.of();
        }
        if (!schema.isObject()) {
            return List.of(new SchemaProblem("",
                    "a schema must be an object or a boolean; found " + jsonType(schema)));
        }
        Dialect dialect;
        try {
            dialect = dialectOf(schema);
        } catch (UnsupportedDialect e) {
            return List.of(e.problem);
        }
        JsonSchema meta = metaSchemas.computeIfAbsent(dialect,
                d -> factory.getSchema(SchemaLocation.of(d.iri), config));
        List<SchemaProblem> problems;
        try {
            problems = toProblems(meta.validate(schema));
        } catch (RuntimeException e) {
            return List.of(new SchemaProblem("", "the schema cannot be checked: " + messageOf(e)));
        } catch (StackOverflowError e) {
            return List.of(new SchemaProblem("", "the schema is nested too deeply to be checked"));
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        return compile(schema).problems();
    }

    /**
     * Validates {@code instance} against {@code schema}. Null, an empty object and {@code true} accept anything. A
     * schema that does not compile (see {@link #checkSchema}) yields one problem at the root saying so.
     *
     * @return the violations, with pointers into the instance; empty when the instance is valid
     */
    public List<SchemaProblem> validate(JsonNode schema, JsonNode instance) {
        if (acceptsAnything(schema) || (schema.isBoolean() && schema.booleanValue())) {
            return List.of();
        }
        Compiled compiled = compile(schema);
        if (compiled.schema() == null) {
            List<SchemaProblem> problems = new ArrayList<>();
            for (SchemaProblem p : compiled.problems()) {
                problems.add(new SchemaProblem("", "the schema is invalid: "
                        + (p.pointer().isEmpty() ? "" : "at " + p.pointer() + ": ") + p.message()));
            }
            return problems;
        }
        JsonNode value = instance == null || instance.isMissingNode() ? NullNode.instance : instance;
        try {
            return toProblems(compiled.schema().validate(value));
        } catch (RuntimeException e) {
            return List.of(new SchemaProblem("", "the value cannot be validated: " + messageOf(e)));
        } catch (StackOverflowError e) {
            // a schema that recursed without end although SchemaCycles found no cycle, or a value nested too deeply
            return List.of(new SchemaProblem("", "the value cannot be validated: the schema applies itself"
                    + " without end, or the value is nested too deeply"));
        }
    }

    private static boolean acceptsAnything(JsonNode schema) {
        return schema == null || schema.isNull() || schema.isMissingNode() || (schema.isObject() && schema.isEmpty());
    }

    // ---------------------------------------------------------------- compiling

    private Compiled compile(JsonNode schema) {
        String key = canonical(schema);
        synchronized (cache) {
            Compiled cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Compiled compiled = doCompile(schema);
        synchronized (cache) {
            cache.put(key, compiled);
        }
        return compiled;
    }

    private Compiled doCompile(JsonNode schema) {
        if (!schema.isObject() && !schema.isBoolean()) {
            return new Compiled(null, List.of(new SchemaProblem("",
                    "a schema must be an object or a boolean; found " + jsonType(schema))));
        }
        try {
            dialectOf(schema);
        } catch (UnsupportedDialect e) {
            return new Compiled(null, List.of(e.problem));
        }
        SchemaProblem cycle = SchemaCycles.find(schema);
        if (cycle != null) {
            return new Compiled(null, List.of(cycle));
        }
        // A copy: the validator keeps the node, and the caller's node may change later.
        JsonNode copy = schema.deepCopy();
        try {
            JsonSchema compiled = factory.getSchema(copy, config);
            // Resolve every $ref now: unresolvable ones fail here, not half-way through a validation, and the
            // compiled schema is fully built before other threads share it.
            compiled.initializeValidators();
            return new Compiled(compiled, List.of());
        } catch (RuntimeException e) {
            return new Compiled(null, List.of(compileProblem(copy, e)));
        } catch (StackOverflowError e) {
            return new Compiled(null, List.of(new SchemaProblem("", "the schema does not compile: it is nested too"
                    + " deeply or refers to itself without end")));
        }
    }

    private static SchemaProblem compileProblem(JsonNode schema, RuntimeException e) {
        PatternSyntaxException badPattern = find(e, PatternSyntaxException.class);
        if (badPattern != null) {
            String pointer = findPattern(schema, badPattern.getPattern(), "");
            return new SchemaProblem(pointer == null ? "" : pointer, "invalid regular expression "
                    + shortJson(TextNode.valueOf(badPattern.getPattern())) + ": " + badPattern.getDescription()
                    + " near index " + badPattern.getIndex());
        }
        String message = messageOf(e);
        Matcher notLoaded = NOT_LOADED.matcher(message);
        if (notLoaded.find()) {
            String target = notLoaded.group(1);
            return new SchemaProblem(findRef(schema, target),
                    "cannot resolve $ref '" + target + "': only references within the schema are supported"
                            + " (other schemas are never fetched)");
        }
        Matcher unresolved = REFERENCE.matcher(message);
        if (unresolved.find()) {
            String target = unresolved.group(1);
            return new SchemaProblem(findRef(schema, target), "cannot resolve $ref '" + refText(schema, target)
                    + "': nothing in the schema has that location");
        }
        return new SchemaProblem("", "the schema does not compile: " + message);
    }

    /** The pointer of a {@code pattern} keyword, or a {@code patternProperties} key, equal to the regex. */
    private static String findPattern(JsonNode node, String regex, String pointer) {
        if (node.isObject()) {
            JsonNode pattern = node.get("pattern");
            if (pattern != null && pattern.isTextual() && pattern.textValue().equals(regex)) {
                return pointer + "/pattern";
            }
            JsonNode patternProperties = node.get("patternProperties");
            if (patternProperties != null && patternProperties.isObject() && patternProperties.has(regex)) {
                return pointer + "/patternProperties/" + escape(regex);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String found = findPattern(field.getValue(), regex, pointer + "/" + escape(field.getKey()));
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = findPattern(node.get(i), regex, pointer + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        Throwable current = t;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            current = current.getCause() == current ? null : current.getCause();
        }
        return null;
    }

    /** The pointer of the first {@code $ref} in the schema whose value matches the reported target, or "". */
    private static String findRef(JsonNode schema, String target) {
        String found = findRef(schema, target, "");
        return found == null ? "" : found;
    }

    private static String findRef(JsonNode node, String target, String pointer) {
        if (node.isObject()) {
            for (String keyword : List.of("$ref", "$dynamicRef", "$recursiveRef")) {
                JsonNode ref = node.get(keyword);
                if (ref != null && ref.isTextual() && refMatches(ref.textValue(), target)) {
                    return pointer + "/" + escape(keyword);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String found = findRef(field.getValue(), target, pointer + "/" + escape(field.getKey()));
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = findRef(node.get(i), target, pointer + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static boolean refMatches(String value, String target) {
        if (value.isEmpty()) {
            return false;
        }
        return value.equals(target) || value.equals("#" + target) || target.endsWith(value) || value.endsWith(target);
    }

    /** The {@code $ref} text as written in the schema, when it can be found; else the reported target. */
    private static String refText(JsonNode schema, String target) {
        String pointer = findRef(schema, target, "");
        if (pointer != null) {
            JsonNode ref = schema.at(pointer);
            if (ref.isTextual()) {
                return ref.textValue();
            }
        }
        return target;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** The dialect of a schema: its {@code $schema}, else 2020-12. */
    private static Dialect dialectOf(JsonNode schema) throws UnsupportedDialect {
        JsonNode keyword = schema.isObject() ? schema.get("$schema") : null;
        if (keyword == null || keyword.isNull()) {
            return Dialect.DRAFT_2020_12;
        }
        Dialect dialect = keyword.isTextual() ? Dialect.of(keyword.textValue()) : null;
        if (dialect == null) {
            List<String> known = new ArrayList<>();
            for (Dialect d : Dialect.values()) {
                known.add(d.iri);
            }
            throw new UnsupportedDialect(new SchemaProblem("/$schema", "unsupported $schema "
                    + shortJson(keyword) + "; expected one of " + known + " (or no $schema, meaning 2020-12)"));
        }
        return dialect;
    }

    private static final class UnsupportedDialect extends Exception {
        private static final long serialVersionUID = 1L;
        final transient SchemaProblem problem;

        UnsupportedDialect(SchemaProblem problem) {
            super(problem.message(), null, false, false);
            this.problem = problem;
        }
    }

    private static String canonical(JsonNode schema) {
        try {
            return CANONICAL.writeValueAsString(schema);
        } catch (Exception e) {
            return schema.toString();
        }
    }

    // ---------------------------------------------------------------- messages

    /**
     * Turns validator messages into problems: clearer wording for the common keywords, alternatives of an
     * {@code anyOf} / {@code oneOf} at one location merged into one problem ("A or B"), duplicates removed.
     */
    private static List<SchemaProblem> toProblems(Collection<ValidationMessage> messages) {
        // group key -> branch -> messages; branch "" for messages outside anyOf/oneOf
        Map<String, Map<String, List<String>>> groups = new LinkedHashMap<>();
        // group key -> branches with a problem other than a type mismatch
        Map<String, Set<String>> substantive = new LinkedHashMap<>();
        Map<String, String> pointers = new LinkedHashMap<>();
        Map<String, String> summaries = new LinkedHashMap<>();
        for (ValidationMessage m : messages) {
            String pointer = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
            if (pointer.equals("$") || pointer.equals("/")) {
                pointer = "";
            }
            String evaluationPath = m.getEvaluationPath() == null ? "" : m.getEvaluationPath().toString();
            String text = describe(m);

            if ("oneOf".equals(m.getType()) && m.getArguments() != null && m.getArguments().length > 0
                    && "0".equals(String.valueOf(m.getArguments()[0]))) {
                // "none of the alternatives is valid": said better by the alternatives' own problems, if any.
                summaries.put(pointer + "|" + evaluationPath, text);
                pointers.put(pointer + "|" + evaluationPath, pointer);
                continue;
            }

            String groupKey;
            String branch = "";
            Matcher alternative = ALTERNATIVE.matcher(evaluationPath);
            if (alternative.matches()) {
                groupKey = pointer + "|" + alternative.group(1);
                branch = alternative.group(2);
            } else {
                groupKey = pointer + "|" + evaluationPath;
            }
            pointers.put(groupKey, pointer);
            if (!"type".equals(m.getType())) {
                substantive.computeIfAbsent(groupKey, k -> new LinkedHashSet<>()).add(branch);
            }
            groups.computeIfAbsent(groupKey, k -> new LinkedHashMap<>())
                    .computeIfAbsent(branch, k -> new ArrayList<>())
                    .add(text);
        }

        Set<SchemaProblem> problems = new LinkedHashSet<>();
        for (Map.Entry<String, String> summary : summaries.entrySet()) {
            if (!groups.containsKey(summary.getKey())) {
                problems.add(new SchemaProblem(pointers.get(summary.getKey()), summary.getValue()));
            }
        }
        for (Map.Entry<String, Map<String, List<String>>> group : groups.entrySet()) {
            String pointer = pointers.get(group.getKey());
            Map<String, List<String>> branches = group.getValue();
            if (branches.size() == 1 && branches.containsKey("")) {
                for (String text : branches.get("")) {
                    problems.add(new SchemaProblem(pointer, text));
                }
                continue;
            }
            // Alternatives the value does not even have the type for are noise when another alternative has the
            // right type and fails for a better reason: {"type": "integr"} is "not one of the type names", not
            // "not an array".
            Set<String> better = substantive.getOrDefault(group.getKey(), Set.of());
            List<String> alternatives = new ArrayList<>();
            for (Map.Entry<String, List<String>> branchTexts : branches.entrySet()) {
                if (!better.isEmpty() && !better.contains(branchTexts.getKey())) {
                    continue;
                }
                List<String> texts = branchTexts.getValue();
                String joined = String.join(" and ", new LinkedHashSet<>(texts));
                if (!alternatives.contains(joined)) {
                    alternatives.add(joined);
                }
            }
            problems.add(new SchemaProblem(pointer, String.join("; or ", alternatives)));
        }
        return List.copyOf(problems);
    }

    /** One validator message in plain words. */
    private static String describe(ValidationMessage m) {
        String type = m.getType() == null ? "" : m.getType();
        Object[] args = m.getArguments() == null ? new Object[0] : m.getArguments();
        JsonNode instance = m.getInstanceNode();
        JsonNode schemaNode = m.getSchemaNode();
        switch (type) {
            case "required":
                if (args.length > 0) {
                    return "required property '" + args[0] + "' is missing";
                }
                break;
            case "type":
                if (args.length > 1) {
                    return "expected " + typeNames(String.valueOf(args[1])) + ", found "
                            + (instance != null ? jsonType(instance) : String.valueOf(args[0]));
                }
                break;
            case "enum":
                if (schemaNode != null && schemaNode.isArray()) {
                    return "must be one of " + shortJson(schemaNode)
                            + (instance != null ? ", found " + shortJson(instance) : "");
                }
                break;
            case "const":
                if (schemaNode != null) {
                    return "must be " + shortJson(schemaNode)
                            + (instance != null ? ", found " + shortJson(instance) : "");
                }
                break;
            case "additionalProperties":
            case "unevaluatedProperties":
                if (args.length > 0) {
                    return "property '" + args[0] + "' is not allowed";
                }
                break;
            case "false":
                return "no value is allowed here (the schema is false)";
            default:
                break;
        }
        String error = m.getError();
        return error == null || error.isBlank() ? m.getMessage() : error;
    }

    /** "integer" stays; "[string, null]" becomes "string or null". */
    private static String typeNames(String expected) {
        String s = expected.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        return String.join(" or ", s.split("\\s*,\\s*"));
    }

    static String jsonType(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> node.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case NULL, MISSING -> "null";
        };
    }

    private static String shortJson(JsonNode node) {
        String text = node.toString();
        return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 3) + "...";
    }

    private static String messageOf(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
