package io.harmonia.expression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * Writes JSON without ever holding or counting more than a limit: a value made of many references to one big string
 * is cut off at the limit instead of being written out in full.
 */
final class BoundedJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BoundedJson() {}

    /** Thrown by the bounded sinks when the limit is passed; caught here. */
    private static final class Full extends IOException {
        Full() {
            super("full", null);
        }
    }

    /**
     * The compact JSON text of {@code json}, at most the meter's string limit long (else a
     * {@link Meter.LimitExceeded} naming {@code what}); its length is charged.
     */
    static String write(JsonNode json, Meter meter, String what) {
        BoundedWriter out = new BoundedWriter(meter.maxStringLength());
        try {
            JSON.writeValue(out, json);
        } catch (IOException e) {
            if (!isFull(e)) {
                throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
            }
            meter.checkString(out.length() + 1L, what);
        }
        meter.charge(out.length(), what);
        return out.toString();
    }

    /** The UTF-8 size of {@code json}, or {@code limit + 1} when it is larger than {@code limit}. */
    static long size(JsonNode json, long limit) throws IOException {
        CountingStream counter = new CountingStream(limit);
        try {
            JSON.writeValue(counter, json);
        } catch (IOException e) {
            if (isFull(e)) {
                return limit + 1;
            }
            throw e;
        }
        return counter.count;
    }

    /** The compact JSON text of {@code json}, cut at {@code max} characters (for messages). */
    static String abbreviated(JsonNode json, int max) {
        BoundedWriter out = new BoundedWriter(max);
        try {
            JSON.writeValue(out, json);
        } catch (IOException e) {
            return out + "...";
        }
        return out.toString();
    }

    private static boolean isFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Full) {
                return true;
            }
        }
        return false;
    }

    private static final class BoundedWriter extends Writer {
        private final StringBuilder text = new StringBuilder();
        private final long max;

        BoundedWriter(long max) {
            this.max = max;
        }

        int length() {
            return text.length();
        }

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            if (text.length() + (long) len > max) {
                text.append(chars, off, (int) (max - text.length()));
                throw new Full();
            }
            text.append(chars, off, len);
        }

        @Override
        public void write(String chars, int off, int len) throws IOException {
            if (text.length() + (long) len > max) {
                text.append(chars, off, off + (int) (max - text.length()));
                throw new Full();
            }
            text.append(chars, off, off + len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private static final class CountingStream extends OutputStream {
        private final long limit;
        long count;

        CountingStream(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            add(len);
        }

        private void add(long n) throws IOException {
            count += n;
            if (count > limit) {
                throw new Full();
            }
        }
    }
}
