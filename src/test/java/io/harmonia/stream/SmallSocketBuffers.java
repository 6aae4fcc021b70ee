package io.harmonia.stream;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Test fixture: with {@code test.harmonia.socket-send-buffer} set (by {@link SmallBuffersProfile}), the HTTP
 * server's sockets get that send buffer instead of the kernel's auto-tuned one (up to 4 MiB), so that a client that
 * stops reading is noticed after a few KiB rather than megabytes of events.
 */
@ApplicationScoped
public class SmallSocketBuffers implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        ConfigProvider.getConfig().getOptionalValue("test.harmonia.socket-send-buffer", Integer.class)
                .ifPresent(options::setSendBufferSize);
    }
}
