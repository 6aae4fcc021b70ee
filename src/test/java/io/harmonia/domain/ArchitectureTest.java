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
                .should().dependOnClassesThat().resideInAnyPackage("io.harmonia.engine..", "io.harmonia.api..",
                        "io.harmonia.eventstore..", "io.harmonia.projection..", "io.harmonia.component..",
                        "io.harmonia.config..")
                .check(classes);
    }
}
