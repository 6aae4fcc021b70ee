package io.harmonia.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range: {@code 10.0.0.0/8}, {@code fc00::/7}, or one address ({@code 192.0.2.7}). */
public record Cidr(byte[] network, int prefix, String text) {

    /** Parses {@code address/prefix} or a single address; the address must be a literal (no lookup). */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        boolean v6 = address.indexOf(':') >= 0;
        boolean v4 = !v6 && address.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                && address.split("\\.", -1).length == 4;
        if (!v4 && (!v6 || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
            throw new IllegalArgumentException("expected an address range such as 10.0.0.0/8 or fc00::/7, found '"
                    + text + "'");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("expected an address range such as 10.0.0.0/8 or fc00::/7, found '"
                    + text + "'");
        }
        // ::ffff:a.b.c.d came back as the IPv4 address it is, and is matched as one
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("expected a prefix length from 0 to " + max + " in '" + text
                        + "'");
            }
        }
        return new Cidr(mask(bytes, prefix), prefix, t);
    }

    /** Whether the address is in this range (an IPv4-mapped IPv6 address counts as its IPv4 address). */
    public boolean contains(InetAddress address) {
        byte[] bytes = AddressClass.unmapped(address).getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        byte[] masked = mask(bytes, prefix);
        return java.util.Arrays.equals(masked, network);
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] = (byte) (out[i] & (0xFF << (8 - bits)));
        }
        return out;
    }
}
