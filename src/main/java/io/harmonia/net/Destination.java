package io.harmonia.net;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A target the policy allowed, with the checked address to connect to (never resolved again). */
public record Destination(HttpTarget target, InetAddress address) {

    /** The server address for {@code RequestOptions.setServer}: the checked address and the target's port. */
    public SocketAddress server() {
        return SocketAddress.inetSocketAddress(new InetSocketAddress(address, target.port()));
    }
}
