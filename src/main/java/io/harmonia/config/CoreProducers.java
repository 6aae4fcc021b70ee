package io.harmonia.config;

import io.harmonia.component.ComponentRegistry;
import io.harmonia.domain.definition.DefinitionLimits;
import io.harmonia.domain.definition.DefinitionValidator;
import io.harmonia.domain.definition.Problem;
import io.harmonia.domain.execution.ExecutionDecider;
import io.harmonia.domain.execution.FlowLimits;
import io.harmonia.domain.execution.Limits;
import io.harmonia.domain.expression.ExpressionEngine;
import io.harmonia.expression.CelExpressionEngine;
import io.harmonia.schema.JsonSchemas;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** Wires the pure core (decider, validator, expressions) with its configuration. */
@ApplicationScoped
public class CoreProducers {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    ExpressionEngine expressions(ExpressionConfig config) {
        return new CelExpressionEngine(new CelExpressionEngine.Limits(config.maxResultBytes(),
                config.maxComprehensionIterations(), config.maxExpressionLength(), config.maxCost(),
                config.maxStringLength(), config.maxListSize(), config.maxExpressions(),
                config.maxEvaluationTime().toMillis(), config.maxCostPerDecision()));
    }

    @Produces
    @ApplicationScoped
    DefinitionValidator definitionValidator(ComponentRegistry components, ExpressionEngine expressions,
            JsonSchemas schemas, DefinitionConfig definitions) {
        return new DefinitionValidator(components, expressions, schema -> schemas.checkSchema(schema).stream()
                .map(p -> new Problem(p.pointer(), p.message())).toList(),
                new DefinitionLimits(definitions.maxTasks(), definitions.maxDefinitionBytes()));
    }

    @Produces
    @ApplicationScoped
    ExecutionDecider decider(ExpressionEngine expressions, EngineConfig config, HistoryConfig history,
            FlowConfig flow, SignalConfig signals) {
        return new ExecutionDecider(expressions, new Limits(config.maxTaskInputBytes(), config.maxTaskOutputBytes(),
                config.maxParallelTasks(), history.maxStateBytes(), history.checkpointEveryEvents(),
                new FlowLimits(flow.maxIterations(), flow.maxItems(), flow.maxDepth()))
                .withMaxSignals(signals.maxPerExecution()));
    }
}
