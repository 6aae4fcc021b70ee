package io.harmonia.expression;

import com.google.protobuf.ByteString;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.CelOptions;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.CelFunctionResolver;
import dev.cel.runtime.CelLateFunctionBindings;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.RuntimeEquality;
import dev.cel.runtime.RuntimeHelpers;
import io.harmonia.domain.expression.EvaluationContext;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every function an expression can call (CEL's standard library, the cel-java string extension and Harmonia's own
 * functions), each wrapped so that it is paid for from the evaluation's {@link Meter} before it runs:
 *
 * <ul>
 *   <li>every call costs {@value #CALL} units plus the sizes it reads (string characters, list and map entries),
 *       times {@value #STRING_EXTENSION_WEIGHT} for the string extension's functions; searches ({@code contains}, {@code indexOf}, {@code lastIndexOf}, {@code replace}, {@code split}) cost
 *       haystack x needle characters, their worst case;</li>
 *   <li>{@code matches} is Harmonia's own: RE2J (linear time) reading the text through {@link Meter#watched}, at
 *       (characters + 1) x the pattern's program size x {@value #REGEX_WEIGHT} units, paid before the scan; compiled
 *       patterns are cached;</li>
 *   <li>a function that builds a value ({@code +}, {@code replace}, {@code join}, {@code split}, conversions...) has
 *       the size checked against the string and list limits, before it is built when the size can be known in
 *       advance, and pays its size.</li>
 * </ul>
 *
 * <p>The runtime has no function bound at build time: all of them are bound late through a {@link Slot}'s resolver,
 * which reads the meter and context of the evaluation the slot serves. Building the ~190 wrappers costs about 45 us,
 * so slots are pooled and reused rather than built per evaluation.
 */
final class MeteredFunctions {

    /** Units charged for any function call. */
    static final long CALL = 1_000;
    /** Units charged per evaluated expression node. */
    static final long NODE = 1_000;
    /**
     * Units per character read or written by the cel-java string extension, which works on arrays of code points
     * and is some 50 times slower per character than the standard library's {@code String} operations.
     */
    static final long STRING_EXTENSION_WEIGHT = 50;
    /** Units per replacement made by {@code replace} (cel-java builds each one from code point arrays). */
    static final long REPLACE_PER_OCCURRENCE = 2_000;
    /** Units per character read per regex program instruction. */
    static final long REGEX_WEIGHT = 50;
    /** Units per character of a pattern compiled. */
    static final long REGEX_COMPILE_PER_CHAR = 50;

    private static final int POOL_SIZE = 64;
    private static final int MAX_CACHED_PATTERNS = 1_000;
    private static final int MAX_CACHED_PATTERN_LENGTH = 1_000;

    /** Calls that read no more than a constant part of their arguments. */
    private static final Set<String> CONSTANT_TIME = Set.of(
            "index_list", "index_map", "size_list", "list_size", "size_map", "map_size", "size_bytes", "bytes_size",
            "to_dyn", "in_map", "logical_not", "string_char_at_int", "starts_with_string");

    /** Calls that search a needle (second argument) in a haystack (first argument). */
    private static final Set<String> SEARCHES = Set.of(
            "contains_string", "string_index_of_string", "string_index_of_string_int", "string_last_index_of_string",
            "string_last_index_of_string_int", "string_replace_string_string", "string_replace_string_string_int",
            "string_split_string", "string_split_string_int", "ends_with_string");

    /** Calls whose result size is counted (with String.indexOf) before they run. */
    private static final Set<String> COUNTS_FIRST = Set.of(
            "string_replace_string_string", "string_replace_string_string_int", "string_split_string",
            "string_split_string_int");

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("add_string", "'+' of two strings"), Map.entry("add_list", "'+' of two lists"),
            Map.entry("add_bytes", "'+' of two byte strings"), Map.entry("list_join", "join"),
            Map.entry("list_join_string", "join"), Map.entry("string_replace_string_string", "replace"),
            Map.entry("string_replace_string_string_int", "replace"), Map.entry("string_split_string", "split"),
            Map.entry("string_split_string_int", "split"), Map.entry("contains_string", "contains"),
            Map.entry("string_index_of_string", "indexOf"), Map.entry("string_index_of_string_int", "indexOf"),
            Map.entry("string_last_index_of_string", "lastIndexOf"),
            Map.entry("string_last_index_of_string_int", "lastIndexOf"), Map.entry("in_list", "'in' of a list"),
            Map.entry("equals", "'=='"), Map.entry("not_equals", "'!='"));

    /** One evaluation's view of the functions: its meter, its context, its uuid counter. */
    static final class Slot {
        private Meter meter;
        private EvaluationContext context;
        private long uuidCalls;
        private CelFunctionResolver resolver;

        Meter meter() {
            return meter;
        }

        EvaluationContext context() {
            return context;
        }

        long nextUuidCall() {
            return uuidCalls++;
        }

        CelFunctionResolver resolver() {
            return resolver;
        }
    }

    private final List<CelFunctionBinding> originals;
    private final boolean partialMatch;
    private final ArrayBlockingQueue<Slot> pool = new ArrayBlockingQueue<>(POOL_SIZE);
    private final ConcurrentHashMap<String, Pattern> patterns = new ConcurrentHashMap<>();

    MeteredFunctions(CelOptions options) {
        this.partialMatch = options.enableRegexPartialMatch();
        List<CelFunctionBinding> all = new ArrayList<>();
        for (CelFunctionBinding binding : CelStandardFunctions.newBuilder().build()
                .newFunctionBindings(RuntimeEquality.create(RuntimeHelpers.create(), options), options)) {
            if (!binding.getOverloadId().equals("matches") && !binding.getOverloadId().equals("matches_string")) {
                all.add(binding);
            }
        }
        all.addAll(stringExtensionBindings());
        this.originals = List.copyOf(all);
    }

    /** The cel-java string extension's bindings, as it would add them to a runtime builder. */
    private static List<CelFunctionBinding> stringExtensionBindings() {
        List<CelFunctionBinding> bindings = new ArrayList<>();
        CelRuntimeBuilder recorder = (CelRuntimeBuilder) Proxy.newProxyInstance(
                MeteredFunctions.class.getClassLoader(), new Class<?>[] {CelRuntimeBuilder.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("addFunctionBindings")) {
                        if (args[0] instanceof CelFunctionBinding[] array) {
                            bindings.addAll(Arrays.asList(array));
                        } else {
                            for (Object binding : (Iterable<?>) args[0]) {
                                bindings.add((CelFunctionBinding) binding);
                            }
                        }
                        return proxy;
                    }
                    throw new IllegalStateException("the string extension called " + method.getName()
                            + " on the runtime builder; only addFunctionBindings is expected");
                });
        CelExtensions.strings().setRuntimeOptions(recorder);
        if (bindings.isEmpty()) {
            throw new IllegalStateException("the string extension added no function bindings");
        }
        return bindings;
    }

    /** A slot for one evaluation; give it back with {@link #release}. */
    Slot borrow(Meter meter, EvaluationContext context) {
        Slot slot = pool.poll();
        if (slot == null) {
            slot = newSlot();
        }
        slot.meter = meter;
        slot.context = context;
        slot.uuidCalls = 0;
        return slot;
    }

    void release(Slot slot) {
        slot.meter = null;
        slot.context = null;
        pool.offer(slot);
    }

    private Slot newSlot() {
        Slot slot = new Slot();
        List<CelFunctionBinding> bindings = new ArrayList<>(originals.size() + 8);
        for (CelFunctionBinding original : originals) {
            bindings.add(metered(original, slot));
        }
        bindings.add(CelFunctionBinding.from("matches", String.class, String.class,
                (text, regex) -> matches(text, regex, slot.meter())));
        bindings.add(CelFunctionBinding.from("matches_string", String.class, String.class,
                (text, regex) -> matches(text, regex, slot.meter())));
        bindings.addAll(FunctionRegistry.bindingsFor(slot));
        slot.resolver = CelLateFunctionBindings.from(bindings);
        return slot;
    }

    private static CelFunctionBinding metered(CelFunctionBinding original, Slot slot) {
        String id = original.getOverloadId();
        CelFunctionOverload function = original.getDefinition();
        String name = NAMES.getOrDefault(id, id);
        if (CONSTANT_TIME.contains(id)) {
            return CelFunctionBinding.from(id, original.getArgTypes(), args -> {
                slot.meter().charge(CALL, name);
                return function.apply(args);
            });
        }
        boolean search = SEARCHES.contains(id);
        long weight = id.startsWith("string_") || id.startsWith("list_join") ? STRING_EXTENSION_WEIGHT : 1;
        return CelFunctionBinding.from(id, original.getArgTypes(), args -> {
            Meter meter = slot.meter();
            // cel-java appends to a comprehension's accumulator (a ConcatenatedListView) in place: only the right
            // side is copied, so only it is paid for (else map/filter would cost the square of their length).
            boolean appends = id.equals("add_list") && args[0] != null
                    && args[0].getClass().getSimpleName().equals("ConcatenatedListView");
            long searched = search ? (long) length(args[0]) * Math.max(1, length(args[1])) : 0;
            if (COUNTS_FIRST.contains(id)) {
                meter.charge(CALL + searched, name + " (counting what it will build)");
            }
            checkBefore(id, name, args, meter);
            meter.charge(CALL + weight * ((appends ? size(args[1]) : sizes(args)) + searched), name);
            Object result = function.apply(args);
            long size = size(result);
            if (result instanceof List<?> || result instanceof Map<?, ?>) {
                meter.checkList(size, name);
            } else {
                meter.checkString(size, name);
            }
            meter.charge(appends ? 0 : weight * size, name);
            return result;
        });
    }

    /** Refuses, before it is built, a value that would be above the string or list limit. */
    private static void checkBefore(String id, String name, Object[] args, Meter meter) {
        switch (id) {
            case "add_string", "add_bytes" -> meter.checkString(size(args[0]) + size(args[1]), name);
            case "add_list" -> meter.checkList(size(args[0]) + size(args[1]), name);
            case "list_join", "list_join_string" -> meter.checkString(joinedLength(args), name);
            case "string_replace_string_string", "string_replace_string_string_int" -> {
                long[] replaced = replaced(args);
                meter.checkString(replaced[0], name);
                meter.charge(REPLACE_PER_OCCURRENCE * replaced[1], name);
            }
            case "string_split_string", "string_split_string_int" -> meter.checkList(pieces(args), name);
            default -> {}
        }
    }

    private static long joinedLength(Object[] args) {
        if (!(args[0] instanceof List<?> list)) {
            return 0;
        }
        long length = 0;
        for (Object element : list) {
            length += length(element);
        }
        if (args.length > 1 && !list.isEmpty()) {
            length += (long) length(args[1]) * (list.size() - 1);
        }
        return length;
    }

    /** The length {@code text.replace(old, new[, n])} will have, and how many replacements it makes. */
    private static long[] replaced(Object[] args) {
        if (!(args[0] instanceof String text) || !(args[1] instanceof String old)
                || !(args[2] instanceof String replacement)) {
            return new long[] {0, 0};
        }
        long limit = args.length > 3 && args[3] instanceof Long n && n >= 0 ? n : Long.MAX_VALUE;
        long count = Math.min(limit, occurrences(text, old));
        return new long[] {text.length() + count * (replacement.length() - (long) old.length()), count};
    }

    /** How many strings {@code text.split(separator[, n])} will return. */
    private static long pieces(Object[] args) {
        if (!(args[0] instanceof String text) || !(args[1] instanceof String separator)) {
            return 0;
        }
        long limit = args.length > 2 && args[2] instanceof Long n && n >= 0 ? n : Long.MAX_VALUE;
        long count = separator.isEmpty() ? text.codePointCount(0, text.length()) : occurrences(text, separator) + 1;
        return Math.min(limit, count);
    }

    /** Non-overlapping occurrences; the empty string occurs before every code point and at the end. */
    private static long occurrences(String text, String needle) {
        if (needle.isEmpty()) {
            return text.codePointCount(0, text.length()) + 1L;
        }
        long count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }

    private boolean matches(String text, String regex, Meter meter) throws CelEvaluationException {
        meter.charge(CALL + REGEX_COMPILE_PER_CHAR * regex.length(), "matches (compiling the pattern)");
        Pattern pattern = pattern(regex);
        long cost;
        try {
            cost = Math.multiplyExact(Math.multiplyExact(text.length() + 1L, (long) pattern.programSize()),
                    REGEX_WEIGHT);
        } catch (ArithmeticException e) {
            cost = Long.MAX_VALUE;
        }
        meter.charge(cost, "matches over " + text.length() + " characters with a pattern of program size "
                + pattern.programSize());
        Matcher matcher = pattern.matcher(meter.watched(text));
        return partialMatch ? matcher.find() : matcher.matches();
    }

    private Pattern pattern(String regex) throws CelEvaluationException {
        Pattern cached = patterns.get(regex);
        if (cached != null) {
            return cached;
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new CelEvaluationException("matches: invalid regular expression: " + e.getMessage(), e);
        }
        if (regex.length() <= MAX_CACHED_PATTERN_LENGTH) {
            if (patterns.size() >= MAX_CACHED_PATTERNS) {
                patterns.clear();
            }
            patterns.putIfAbsent(regex, pattern);
        }
        return pattern;
    }

    private static long sizes(Object[] args) {
        long total = 0;
        for (Object arg : args) {
            total += size(arg);
        }
        return total;
    }

    /** Characters of a string, bytes of a byte string, entries of a list or map; 0 for anything else. */
    static long size(Object value) {
        if (value instanceof String s) {
            return s.length();
        }
        if (value instanceof List<?> list) {
            return list.size();
        }
        if (value instanceof Map<?, ?> map) {
            return map.size();
        }
        if (value instanceof ByteString bytes) {
            return bytes.size();
        }
        return 0;
    }

    private static int length(Object value) {
        return value instanceof String s ? s.length() : 0;
    }
}
