package io.harmonia.domain.execution;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable hash map whose {@link #plus} and {@link #minus} return a new map sharing all but one path with this
 * one (a hash array mapped trie, 32 children per level): O(log32 n) per change instead of copying every entry. The
 * execution state changes one task per event, so folding an execution of n tasks costs O(n log n), not O(n²).
 *
 * <p>Iteration order is the hash order (deterministic for a given set of keys). The {@link Map} mutators throw.
 */
public final class PersistentHashMap<K, V> extends AbstractMap<K, V> {

    private static final PersistentHashMap<?, ?> EMPTY = new PersistentHashMap<>(null, 0);

    private final Object root; // null, a Leaf, a Bitmap or a Collision
    private final int size;

    private PersistentHashMap(Object root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentHashMap<K, V> empty() {
        return (PersistentHashMap<K, V>) EMPTY;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object key) {
        return leaf(key) != null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        Leaf<?, ?> l = leaf(key);
        return l == null ? null : (V) l.value;
    }

    private Leaf<?, ?> leaf(Object key) {
        int hash = hash(key);
        Object node = root;
        int shift = 0;
        while (node != null) {
            if (node instanceof Leaf<?, ?> l) {
                return l.hash == hash && l.key.equals(key) ? l : null;
            }
            if (node instanceof Collision c) {
                for (Leaf<?, ?> l : c.leaves) {
                    if (l.key.equals(key)) {
                        return l;
                    }
                }
                return null;
            }
            Bitmap b = (Bitmap) node;
            int bit = bit(hash, shift);
            if ((b.bitmap & bit) == 0) {
                return null;
            }
            node = b.slots[b.index(bit)];
            shift += 5;
        }
        return null;
    }

    /** This map with {@code key} mapped to {@code value}. */
    public PersistentHashMap<K, V> plus(K key, V value) {
        Objects.requireNonNull(key, "key");
        int[] added = {0};
        Object newRoot = put(root, 0, new Leaf<>(hash(key), key, value), added);
        return newRoot == root ? this : new PersistentHashMap<>(newRoot, size + added[0]);
    }

    /** This map without {@code key}. */
    public PersistentHashMap<K, V> minus(Object key) {
        if (key == null || !containsKey(key)) {
            return this;
        }
        Object newRoot = remove(root, 0, hash(key), key);
        return new PersistentHashMap<>(newRoot, size - 1);
    }

    private static Object put(Object node, int shift, Leaf<?, ?> leaf, int[] added) {
        if (node == null) {
            added[0] = 1;
            return leaf;
        }
        if (node instanceof Leaf<?, ?> l) {
            if (l.hash == leaf.hash && l.key.equals(leaf.key)) {
                return l.value == leaf.value ? l : leaf;
            }
            added[0] = 1;
            return l.hash == leaf.hash ? new Collision(l.hash, new Leaf<?, ?>[] {l, leaf})
                    : merge(shift, l, l.hash, leaf, leaf.hash);
        }
        if (node instanceof Collision c) {
            if (c.hash != leaf.hash) {
                added[0] = 1;
                return merge(shift, c, c.hash, leaf, leaf.hash);
            }
            Leaf<?, ?>[] leaves = c.leaves;
            for (int i = 0; i < leaves.length; i++) {
                if (leaves[i].key.equals(leaf.key)) {
                    Leaf<?, ?>[] copy = leaves.clone();
                    copy[i] = leaf;
                    return new Collision(c.hash, copy);
                }
            }
            Leaf<?, ?>[] copy = java.util.Arrays.copyOf(leaves, leaves.length + 1);
            copy[leaves.length] = leaf;
            added[0] = 1;
            return new Collision(c.hash, copy);
        }
        Bitmap b = (Bitmap) node;
        int bit = bit(leaf.hash, shift);
        int idx = b.index(bit);
        if ((b.bitmap & bit) == 0) {
            Object[] slots = new Object[b.slots.length + 1];
            System.arraycopy(b.slots, 0, slots, 0, idx);
            slots[idx] = leaf;
            System.arraycopy(b.slots, idx, slots, idx + 1, b.slots.length - idx);
            added[0] = 1;
            return new Bitmap(b.bitmap | bit, slots);
        }
        Object child = b.slots[idx];
        Object newChild = put(child, shift + 5, leaf, added);
        if (newChild == child) {
            return b;
        }
        Object[] slots = b.slots.clone();
        slots[idx] = newChild;
        return new Bitmap(b.bitmap, slots);
    }

    /** A node holding two nodes (leaves or collisions) whose hashes differ, at {@code shift}. */
    private static Object merge(int shift, Object a, int hashA, Object b, int hashB) {
        int bitA = bit(hashA, shift);
        int bitB = bit(hashB, shift);
        if (bitA == bitB) { // the hashes differ, so they part before shift reaches 32
            return new Bitmap(bitA, new Object[] {merge(shift + 5, a, hashA, b, hashB)});
        }
        return Integer.compareUnsigned(bitA, bitB) < 0
                ? new Bitmap(bitA | bitB, new Object[] {a, b})
                : new Bitmap(bitA | bitB, new Object[] {b, a});
    }

    /** Removes a key known to be present; returns the new node, or null when it is empty. */
    private static Object remove(Object node, int shift, int hash, Object key) {
        if (node instanceof Leaf) {
            return null;
        }
        if (node instanceof Collision c) {
            if (c.leaves.length == 2) {
                return c.leaves[0].key.equals(key) ? c.leaves[1] : c.leaves[0];
            }
            Leaf<?, ?>[] copy = new Leaf<?, ?>[c.leaves.length - 1];
            int j = 0;
            for (Leaf<?, ?> l : c.leaves) {
                if (!l.key.equals(key)) {
                    copy[j++] = l;
                }
            }
            return new Collision(c.hash, copy);
        }
        Bitmap b = (Bitmap) node;
        int bit = bit(hash, shift);
        int idx = b.index(bit);
        Object newChild = remove(b.slots[idx], shift + 5, hash, key);
        if (newChild != null) {
            Object[] slots = b.slots.clone();
            slots[idx] = newChild;
            return new Bitmap(b.bitmap, slots);
        }
        if (b.slots.length == 1) {
            return null;
        }
        Object[] slots = new Object[b.slots.length - 1];
        System.arraycopy(b.slots, 0, slots, 0, idx);
        System.arraycopy(b.slots, idx + 1, slots, idx, b.slots.length - idx - 1);
        return new Bitmap(b.bitmap & ~bit, slots);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        visit(root, l -> action.accept((K) l.key, (V) l.value));
    }

    private static void visit(Object node, java.util.function.Consumer<Leaf<?, ?>> action) {
        if (node == null) {
            return;
        }
        if (node instanceof Leaf<?, ?> l) {
            action.accept(l);
        } else if (node instanceof Collision c) {
            for (Leaf<?, ?> l : c.leaves) {
                action.accept(l);
            }
        } else {
            for (Object child : ((Bitmap) node).slots) {
                visit(child, action);
            }
        }
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            @SuppressWarnings("unchecked")
            public Iterator<Entry<K, V>> iterator() {
                List<Entry<K, V>> entries = new ArrayList<>(size);
                visit(root, l -> entries.add((Entry<K, V>) l));
                return java.util.Collections.unmodifiableList(entries).iterator();
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    private static int bit(int hash, int shift) {
        return 1 << ((hash >>> shift) & 31);
    }

    private static final class Bitmap {
        final int bitmap;
        final Object[] slots;

        Bitmap(int bitmap, Object[] slots) {
            this.bitmap = bitmap;
            this.slots = slots;
        }

        int index(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }
    }

    private static final class Collision {
        final int hash;
        final Leaf<?, ?>[] leaves;

        Collision(int hash, Leaf<?, ?>[] leaves) {
            this.hash = hash;
            this.leaves = leaves;
        }
    }

    private static final class Leaf<K, V> implements Entry<K, V> {
        final int hash;
        final K key;
        final V value;

        Leaf(int hash, K key, V value) {
            this.hash = hash;
            this.key = key;
            this.value = value;
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V v) {
            throw new UnsupportedOperationException("Expected no change to an immutable map");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry<?, ?> e && key.equals(e.getKey()) && Objects.equals(value, e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ Objects.hashCode(value);
        }
    }
}
