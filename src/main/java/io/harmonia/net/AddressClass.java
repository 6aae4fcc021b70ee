package io.harmonia.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What kind of address an IP address is, for the destination policy. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96}, 6to4
 * {@code 2002::/16}) are classed as the IPv4 address they carry.
 */
public enum AddressClass {
    PUBLIC("a public address"),
    LOOPBACK("a loopback address"),
    PRIVATE("a private address"),
    LINK_LOCAL("a link-local address (such as the cloud metadata service 169.254.169.254)"),
    UNSPECIFIED("an unspecified address (0.0.0.0/8 or ::, which reach this host)"),
    MULTICAST("a multicast or broadcast address"),
    RESERVED("a reserved or special-purpose address");

    private final String description;

    AddressClass(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    private static final List<Cidr> V4_PRIVATE = cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "100.64.0.0/10");
    private static final List<Cidr> V4_RESERVED = cidrs("192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4");
    private static final List<Cidr> V6_PRIVATE = cidrs("fc00::/7", "fec0::/10", "64:ff9b:1::/48");
    private static final List<Cidr> V6_RESERVED = cidrs("2001:db8::/32", "100::/64", "2001::/32", "2001:10::/28",
            "2001:20::/28");

    /** The class of an address. */
    public static AddressClass of(InetAddress address) {
        InetAddress a = unmapped(address);
        if (a instanceof Inet4Address) {
            return ofV4(a);
        }
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress()) {
            return UNSPECIFIED;
        }
        if (a.isLoopbackAddress()) {
            return LOOPBACK;
        }
        InetAddress embedded = embeddedV4(b);
        if (embedded != null) {
            return ofV4(embedded);
        }
        if (a.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        if (a.isMulticastAddress()) {
            return MULTICAST;
        }
        if (in(a, V6_PRIVATE) || a.isSiteLocalAddress()) {
            return PRIVATE;
        }
        if (in(a, V6_RESERVED)) {
            return RESERVED;
        }
        return PUBLIC;
    }

    private static AddressClass ofV4(InetAddress a) {
        int first = a.getAddress()[0] & 0xFF;
        if (first == 0) {
            return UNSPECIFIED;
        }
        if (first == 127) {
            return LOOPBACK;
        }
        if (a.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        if (a.isMulticastAddress() || isBroadcast(a)) {
            return MULTICAST;
        }
        if (in(a, V4_PRIVATE)) {
            return PRIVATE;
        }
        if (in(a, V4_RESERVED)) {
            return RESERVED;
        }
        return PUBLIC;
    }

    /** An IPv4-mapped IPv6 address as the IPv4 address it is; any other address unchanged. */
    static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                return v4(b, 12);
            }
        }
        return address;
    }

    /** The IPv4 address inside an IPv4-compatible, NAT64 or 6to4 address, or null. */
    private static InetAddress embeddedV4(byte[] b) {
        boolean compatible = true;
        for (int i = 0; i < 12 && compatible; i++) {
            compatible = b[i] == 0;
        }
        if (compatible) {
            return v4(b, 12);
        }
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B;
        for (int i = 4; i < 12 && nat64; i++) {
            nat64 = b[i] == 0;
        }
        if (nat64) {
            return v4(b, 12);
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return v4(b, 2);
        }
        return null;
    }

    private static InetAddress v4(byte[] b, int offset) {
        try {
            return InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static boolean isBroadcast(InetAddress a) {
        for (byte x : a.getAddress()) {
            if (x != (byte) 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean in(InetAddress a, List<Cidr> ranges) {
        for (Cidr c : ranges) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> cidrs(String... texts) {
        return java.util.Arrays.stream(texts).map(Cidr::parse).toList();
    }
}
