package io.harmonia.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core stays pure: no framework, no IO. */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.harmonia");

    @Test
    void domainDependsOnNoFrameworkNorIo() {
        noClasses().that().resideInAPackage("io.harmonia.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "io.vertx..", "io.smallrye..",
                        "jakarta.ws..", "jakarta.inject..", "jakarta.enterprise..", "org.apache.kafka..",
                        "java.sql..", "java.net.http..", "io.netty..")
                .check(classes);
    }

    @Test
    void domainDependsOnNoOuterLayer() {
        noClasses().that().resideInAPackage("io.harmonia.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.harmonia.runtime..", "io.harmonia.application..", "io.harmonia.api..",
                        "io.harmonia.eventstore..", "io.harmonia.projection..", "io.harmonia.component..",
                        "io.harmonia.config..")
                .check(classes);
    }

    /**
     * Outgoing HTTP (the SSRF surface) is made only by the http component and webhook delivery, which both check
     * every destination with {@code net.DestinationPolicy}; a new HTTP client elsewhere would bypass it.
     */
    @Test
    void outgoingHttpOnlyWhereTheDestinationPolicyIsApplied() {
        noClasses().that().resideOutsideOfPackages("io.harmonia.component.builtin.http..", "io.harmonia.webhook..",
                        "io.harmonia.net..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.vertx.core.http.HttpClient")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mutiny.core.http.HttpClient")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.net.http..", "io.vertx.ext.web.client..")
                .check(classes);
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
                .that().resideInAnyPackage("io.harmonia.component.builtin.http..", "io.harmonia.webhook..")
                .and().haveSimpleNameEndingWith("Deliverer").or().haveSimpleName("Exchange")
                .should().dependOnClassesThat().resideInAPackage("io.harmonia.net..")
                .check(classes);
    }

    /**
     * The integrations read the feed; they do not drive executions (runtime) nor use the use cases (application),
     * except the inbound adapters of worker results and of signals, which record them through the application like a
     * request.
     */
    @Test
    void integrationsUseNeitherTheRuntimeNorTheApplication() {
        noClasses().that().resideInAnyPackage("io.harmonia.messaging..", "io.harmonia.stream..",
                        "io.harmonia.webhook..")
                .should().dependOnClassesThat().resideInAPackage("io.harmonia.runtime..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.harmonia.messaging..", "io.harmonia.stream..",
                        "io.harmonia.webhook..")
                .and().doNotHaveFullyQualifiedName("io.harmonia.messaging.TaskResultsConsumer")
                .and().doNotHaveFullyQualifiedName("io.harmonia.messaging.SignalsConsumer")
                .should().dependOnClassesThat().resideInAPackage("io.harmonia.application..")
                .check(classes);
    }

    /** Arrows point down: the runtime knows nothing of the use cases above it nor of the REST layer. */
    @Test
    void runtimeDoesNotUseTheApplicationNorTheApi() {
        noClasses().that().resideInAPackage("io.harmonia.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("io.harmonia.application..", "io.harmonia.api..")
                .check(classes);
    }

    /**
     * Components are called by the runtime and never call up into it: a sub-workflow ({@code workflow.run}) is
     * started by the runtime ({@code runtime.Children}), not by a component that would start executions itself.
     */
    @Test
    void componentsUseNeitherTheRuntimeNorTheApplication() {
        noClasses().that().resideInAPackage("io.harmonia.component..")
                .should().dependOnClassesThat().resideInAnyPackage("io.harmonia.runtime..",
                        "io.harmonia.application..", "io.harmonia.api..", "io.harmonia.eventstore..")
                .check(classes);
    }

    /** The REST layer goes through the application's use cases, never to the runtime or the store directly. */
    @Test
    void apiDoesNotUseTheRuntime() {
        noClasses().that().resideInAPackage("io.harmonia.api..")
                .should().dependOnClassesThat().resideInAPackage("io.harmonia.runtime..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.harmonia.eventstore.PgEventStore")
                .check(classes);
    }

    /**
     * SQL runs only in the event store (which owns the events table and the cursors) and in the read models (their
     * own view tables), plus the webhook subscriptions' own store: a query anywhere else is a query on the events
     * table that bypasses the store's role classes.
     */
    @Test
    void sqlOnlyInTheEventStoreAndTheReadModels() {
        noClasses().that().resideOutsideOfPackages("io.harmonia.eventstore..", "io.harmonia.projection..")
                .and().doNotHaveFullyQualifiedName("io.harmonia.webhook.WebhookStore")
                .should().callMethodWhere(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "a query of the SQL client", call -> call.getTarget().getOwner()
                                .isAssignableTo("io.vertx.mutiny.sqlclient.SqlClient")
                                && (call.getName().equals("query") || call.getName().equals("preparedQuery"))))
                .check(classes);
    }

    /** Trigger consumers fire through the application's use cases, never into the runtime or the store directly. */
    @Test
    void triggerConsumersUseTheApplicationNotTheRuntime() {
        noClasses().that().resideInAPackage("io.harmonia.trigger..")
                .should().dependOnClassesThat().resideInAnyPackage("io.harmonia.runtime..", "io.harmonia.eventstore..")
                .check(classes);
    }
}
