package io.harmonia.stream;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Tiny subscriber buffers and socket send buffers (see {@link SmallSocketBuffers}), so that a client that stops
 * reading is cut off soon, and fast webhook retries. Shared by
 * the slow-consumer and webhook tests: one profile, one restart.
 */
public class SmallBuffersProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "harmonia.streams.buffer-size", "20",
                "harmonia.streams.max-in-flight", "4",
                "harmonia.streams.close-timeout", "5s",
                "test.harmonia.socket-send-buffer", "8192",
                "harmonia.webhooks.initial-retry-delay", "300ms",
                "harmonia.webhooks.backoff-factor", "2",
                "harmonia.webhooks.poll-interval", "100ms",
                "harmonia.webhooks.rescan-interval", "200ms");
    }
}
