package io.harmonia.net;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;

/** A target the policy allowed, with the checked address to connect to (never resolved again). */
public record Destination(HttpTarget target, InetAddress address) {

    /**
     * The server address for {@code RequestOptions.setServer}: the checked address, as a literal (an address from
     * a resolver remembers its name, and a name could be resolved again), and the target's port.
     */
    public SocketAddress server() {
        return SocketAddress.inetSocketAddress(target.port(), address.getHostAddress());
    }
}
