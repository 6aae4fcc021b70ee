package io.harmonia.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ComponentApiTest {

    @Test
    void everyRegisteredComponentIsListedWithItsActions() {
        given().get("/api/components").then().statusCode(200)
                .body("items.name", hasItems("core", "http", "ergon"))
                .body("items.find { it.name == 'core' }.transport", equalTo("in-process"))
                .body("items.find { it.name == 'core' }.actions.name", hasItems("echo", "transform", "sleep", "fail"))
                .body("items.find { it.name == 'http' }.actions.name", hasItems("request"))
                .body("items.find { it.name == 'ergon' }.transport", equalTo("kafka"))
                .body("items.find { it.name == 'ergon' }.destination", equalTo("harmonia.tasks.ergon"))
                .body("items.find { it.name == 'ergon' }.actions.name", hasItems("execute_command", "refuse"));
    }

    @Test
    void oneComponentSaysWhichActionsRunInlineAndWhatTheyExpect() {
        given().get("/api/components/core").then().statusCode(200)
                .body("name", equalTo("core"))
                .body("actions.find { it.name == 'echo' }.runs_inline", equalTo(true))
                .body("actions.find { it.name == 'sleep' }.runs_inline", equalTo(false))
                .body("actions.find { it.name == 'sleep' }.input.required[0]", equalTo("ms"))
                .body("actions.find { it.name == 'sleep' }.summary", containsString("durable delay"));
    }

    @Test
    void anUnknownComponentIsA404NamingTheRegisteredOnes() {
        given().get("/api/components/nope").then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("detail", containsString("'nope'"))
                .body("detail", containsString("core"));
    }
}
