package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Signals ({@code POST /api/executions/{id}/signals/{name}}, the signals topic, triggers): their limits. The topic
 * itself is the {@code signals} channel's ({@code mp.messaging.incoming.signals.topic}, default
 * {@code harmonia.signals}).
 */
@ConfigMapping(prefix = "harmonia.signals")
public interface SignalConfig {

    /**
     * The largest signal payload, in bytes of its JSON text (the default is the task input limit's): the REST API
     * answers 413 above it, the topic sends the record to the dead-letter topic. A payload becomes the output of
     * the wait that consumes it, so it should not be above {@code harmonia.engine.max-task-output-bytes}.
     */
    @WithDefault("1048576")
    int maxPayloadBytes();

    /** Signals (distinct ids) one execution may receive; one more is refused (409). */
    @WithDefault("1000")
    int maxPerExecution();

    /**
     * What a signal name must match (a Java regular expression, the whole name). The default allows what CEL and
     * templates read with a dot ({@code signals.approval}) and also {@code -}, {@code .} and {@code :} (read those
     * as {@code signals["payment-callback"]}).
     */
    @WithDefault("[A-Za-z_][A-Za-z0-9_.:-]*")
    String namePattern();

    /** The longest signal name, in characters. */
    @WithDefault("128")
    int maxNameLength();

    /** The longest signal id (an {@code Idempotency-Key}, a CloudEvent id), in characters. */
    @WithDefault("255")
    int maxIdLength();
}
