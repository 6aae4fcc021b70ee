package io.harmonia.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv4 addresses written as the WHATWG URL standard (and so every browser and curl) reads them: one to four parts,
 * each decimal, octal (leading {@code 0}) or hexadecimal ({@code 0x}); the last part fills the remaining bytes.
 * {@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1} and {@code 127.1} are all 127.0.0.1.
 */
final class Ipv4Forms {

    private Ipv4Forms() {}

    /** Whether a host is meant as an IPv4 address: its last label is a number (then it must parse as one). */
    static boolean endsInNumber(String host) {
        String[] parts = labels(host);
        if (parts.length == 0) {
            return false;
        }
        String last = parts[parts.length - 1];
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        if (last.length() >= 2 && (last.startsWith("0x") || last.startsWith("0X"))) {
            return last.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return false;
    }

    /** The address, or null when the host is not a valid IPv4 address in any form. */
    static InetAddress parse(String host) {
        String[] parts = labels(host);
        if (parts.length == 0 || parts.length > 4) {
            return null;
        }
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = number(parts[i]);
            if (numbers[i] < 0) {
                return null;
            }
        }
        for (int i = 0; i < numbers.length - 1; i++) {
            if (numbers[i] > 255) {
                return null;
            }
        }
        long last = numbers[numbers.length - 1];
        if (last >= 1L << (8 * (5 - numbers.length))) {
            return null;
        }
        long value = last;
        for (int i = 0; i < numbers.length - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // cannot happen for four bytes
        }
    }

    private static String[] labels(String host) {
        String h = host.endsWith(".") && host.length() > 1 ? host.substring(0, host.length() - 1) : host;
        return h.split("\\.", -1);
    }

    /** One part's value, or -1 when it is not a number. */
    private static long number(String part) {
        if (part.isEmpty() || part.length() > 34) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0;
            }
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        int base = radix;
        if (!digits.chars().allMatch(c -> c < 128 && Character.digit(c, base) >= 0)) {
            return -1;
        }
        try {
            long v = Long.parseLong(digits, radix);
            return v > 0xFFFFFFFFL || v < 0 ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
