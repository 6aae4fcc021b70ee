package io.harmonia.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An absolute http or https URL, taken apart for the destination policy: a canonical host (a lower-case name, a
 * dotted IPv4 address or a bracketed IPv6 address), the port, and the path with its query. A host that is an IPv4
 * address in any of the forms browsers accept ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}) is read as
 * that address, so that the check and the connection agree on it. User info ({@code user:password@}) is refused:
 * credentials go in headers, never in a URL that ends up in views and error messages.
 *
 * @param literal the address when the host is an IP address, else null (the name is resolved)
 */
public record HttpTarget(String scheme, String host, InetAddress literal, int port, String pathAndQuery) {

    /** A URL that cannot be used; the message says why, without repeating user info. */
    public static final class InvalidTarget extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidTarget(String message) {
            super(message);
        }
    }

    public static final String USER_INFO_REFUSED =
            "must not contain user info (user:password@); send credentials in a header such as authorization";

    public boolean https() {
        return scheme.equals("https");
    }

    /** scheme://host:port: two targets with the same origin may share credentials. */
    public String origin() {
        return scheme + "://" + host + ":" + port;
    }

    /** The canonical URL (the default port left out). */
    public String url() {
        boolean defaultPort = port == (https() ? 443 : 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + pathAndQuery;
    }

    /** The host as a resolver takes it: without the brackets of an IPv6 address. */
    public String bareHost() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** Parses an absolute http or https URL; the fragment is dropped. */
    public static HttpTarget parse(String url) {
        if (hasUserInfo(url)) {
            throw new InvalidTarget(USER_INFO_REFUSED);
        }
        try {
            return of(new URI(url));
        } catch (URISyntaxException e) {
            throw new InvalidTarget("is not a valid URL (" + e.getReason() + ")");
        }
    }

    /** The target a redirect's {@code location} points to, resolved against this one. */
    public HttpTarget resolve(String location) {
        String text = location.trim();
        if (hasUserInfo(text)) {
            throw new InvalidTarget(USER_INFO_REFUSED);
        }
        try {
            return of(new URI(url()).resolve(new URI(text)));
        } catch (URISyntaxException e) {
            throw new InvalidTarget("is not a valid URL (" + e.getReason() + ")");
        }
    }

    /** Whether the authority of an absolute URL holds user info ({@code user:password@host}). */
    public static boolean hasUserInfo(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return false;
        }
        int end = start + 3;
        while (end < url.length() && "/?#\\".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start + 3, end).indexOf('@') >= 0;
    }

    private static HttpTarget of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidTarget("must be an absolute http or https URL");
        }
        String authority = uri.getRawAuthority();
        if (uri.isOpaque() || authority == null || authority.isEmpty()) {
            throw new InvalidTarget("must be an absolute http or https URL with a host");
        }
        if (uri.getRawUserInfo() != null || authority.indexOf('@') >= 0) {
            throw new InvalidTarget(USER_INFO_REFUSED);
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null) {
            // java.net.URI takes "127.1" or "2130706433" for a registry name: read host[:port] here
            int colon = authority.lastIndexOf(':');
            host = authority;
            if (colon >= 0) {
                host = authority.substring(0, colon);
                port = parsePort(authority.substring(colon + 1));
            }
            if (!Ipv4Forms.endsInNumber(host)) {
                throw new InvalidTarget("must be an absolute http or https URL with a valid host name or address");
            }
        }
        if (port == 0 || port > 65535) {
            throw new InvalidTarget("must have a port from 1 to 65535");
        }
        if (port < 0) {
            port = scheme.equals("https") ? 443 : 80;
        }
        InetAddress literal = null;
        if (host.startsWith("[")) {
            literal = ipv6(host.substring(1, host.length() - 1));
            host = "[" + literal.getHostAddress() + "]";
            if (literal instanceof java.net.Inet4Address) {
                host = "[::ffff:" + literal.getHostAddress() + "]";
            }
        } else {
            host = host.toLowerCase(Locale.ROOT);
            if (Ipv4Forms.endsInNumber(host)) {
                literal = Ipv4Forms.parse(host);
                if (literal == null) {
                    throw new InvalidTarget("must have a valid host: '" + host + "' is not an IPv4 address");
                }
                host = literal.getHostAddress();
            }
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery();
        return new HttpTarget(scheme, host, literal, port, query == null ? path : path + "?" + query);
    }

    private static int parsePort(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        if (text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidTarget("must have a port from 1 to 65535");
        }
        return Integer.parseInt(text);
    }

    private static InetAddress ipv6(String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            // no zone ids (fe80::1%eth0) and no names: getByName must not look anything up
            throw new InvalidTarget("must have a valid host: '[" + text + "]' is not an IPv6 address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new InvalidTarget("must have a valid host: '[" + text + "]' is not an IPv6 address");
        }
    }
}
