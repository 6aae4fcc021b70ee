package io.harmonia.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The expression sandbox. */
@ConfigMapping(prefix = "harmonia.expressions")
public interface ExpressionConfig {

    /** The largest value one expression may produce, in bytes. */
    @WithDefault("1048576")
    int maxResultBytes();

    /** The iteration budget of all comprehensions (map, filter, all, exists...) in one evaluation. */
    @WithDefault("10000")
    int maxComprehensionIterations();

    /** The longest expression text accepted. */
    @WithDefault("4096")
    int maxExpressionLength();
}
