package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How large a workflow definition may be; a larger one is refused with 422 naming the limit. */
@ConfigMapping(prefix = "harmonia.definitions")
public interface DefinitionConfig {

    /** The most tasks one workflow definition may have. */
    @WithDefault("10000")
    int maxTasks();

    /**
     * The largest definition in bytes, measured as stored: compact JSON in UTF-8, without the fields Harmonia adds.
     * Its {@code WorkflowDefined} event is published to Kafka as one record, so keep this below the producer's
     * {@code max.request.size} (1 MiB by default) with room for the event's envelope.
     */
    @WithDefault("1000000")
    int maxDefinitionBytes();
}
