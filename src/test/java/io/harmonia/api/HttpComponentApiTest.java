package io.harmonia.api;

import static io.restassured.RestAssured.given;

import static io.harmonia.api.Api.awaitFinished;
import static io.harmonia.api.Api.createWorkflow;
import static io.harmonia.api.Api.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http component against a real local HTTP server, end to end through the API. */
@QuarkusTest
class HttpComponentApiTest {

    @Inject
    Vertx vertx;

    HttpServer server;
    final AtomicInteger flakyCalls = new AtomicInteger();

    @BeforeEach
    void startServer() {
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/items" -> req.response().putHeader("content-type", "application/json")
                        .endAndForget("{\"items\": [1, 2, 3]}");
                case "/flaky" -> {
                    if (flakyCalls.incrementAndGet() < 3) {
                        req.response().setStatusCode(503).endAndForget("try later");
                    } else {
                        req.response().putHeader("content-type", "application/json").endAndForget("{\"ok\": true}");
                    }
                }
                default -> req.response().setStatusCode(404).endAndForget("no such thing");
            }
        }).listen(0).await().atMost(Duration.ofSeconds(5));
    }

    @AfterEach
    void stopServer() {
        server.close().await().atMost(Duration.ofSeconds(5));
    }

    private String url(String path) {
        return "http://localhost:" + server.actualPort() + path;
    }

    @Test
    void aJsonResponseFeedsTheNextTask() {
        String wf = createWorkflow("""
                {'name': 'http', 'output': {'count': '${size(tasks.fetch.output.body.items)}'}, 'tasks': [
                  {'id': 'fetch', 'component': 'http', 'action': 'request', 'input': {'url': '${input.url}'}},
                  {'id': 'use', 'component': 'core', 'action': 'echo', 'depends_on': ['fetch'],
                   'input': {'items': '${tasks.fetch.output.items}'}}]}""".replace("tasks.fetch.output.items",
                "tasks.fetch.output.body.items"));
        JsonPath done = awaitFinished(start(wf, "{'url': '" + url("/items") + "'}"));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("task_executions.fetch.output.status")).isEqualTo(200);
        assertThat(done.getList("task_executions.use.output.items", Integer.class)).containsExactly(1, 2, 3);
        assertThat(done.getInt("output.count")).isEqualTo(3);
    }

    @Test
    void serverErrorsAreRetriedAndClientErrorsAreNot() {
        String wf = createWorkflow("""
                {'name': 'http-retry', 'tasks': [
                  {'id': 'call', 'component': 'http', 'action': 'request', 'input': {'url': '${input.url}'},
                   'retry': {'max_attempts': 5, 'initial_delay_ms': 50, 'jitter': false}}]}""");
        JsonPath flaky = awaitFinished(start(wf, "{'url': '" + url("/flaky") + "'}"));
        assertThat(flaky.getString("status")).isEqualTo("COMPLETED");
        assertThat(flaky.getInt("task_executions.call.attempts")).isEqualTo(3);

        JsonPath missing = awaitFinished(start(wf, "{'url': '" + url("/missing") + "'}"));
        assertThat(missing.getString("status")).isEqualTo("FAILED");
        assertThat(missing.getString("error.type")).isEqualTo("CLIENT_ERROR");
        assertThat(missing.getInt("task_executions.call.attempts")).isEqualTo(1);
    }

    @Test
    void harmoniasOwnApiAndMetricsAreOutOfReach() {
        int own = io.restassured.RestAssured.port;
        String wf = createWorkflow("""
                {'name': 'http-self', 'tasks': [
                  {'id': 'call', 'component': 'http', 'action': 'request', 'input': {'url': '${input.url}'}}]}""");
        for (String url : new String[] {"http://127.0.0.1:" + own + "/q/metrics",
                "http://localhost:" + own + "/api/subscriptions", "http://169.254.169.254/latest/meta-data/",
                "http://0.0.0.0:" + own + "/q/metrics"}) {
            JsonPath done = awaitFinished(start(wf, "{'url': '" + url + "'}"));
            assertThat(done.getString("status")).as(url).isEqualTo("FAILED");
            assertThat(done.getString("error.type")).as(url).isEqualTo("CLIENT_ERROR");
            assertThat(done.getString("task_executions.call.error.message")).as(url)
                    .startsWith("GET " + url + ": destination not allowed by policy: ");
            assertThat(done.getInt("task_executions.call.attempts")).as(url).isEqualTo(1);
            assertThat(done.getString("task_executions.call.output")).as(url).isNull();
        }
    }

    @Test
    void aUrlWithUserInfoIsRefusedAndItsPasswordIsNotRepeated() {
        String wf = createWorkflow("""
                {'name': 'http-userinfo', 'tasks': [
                  {'id': 'call', 'component': 'http', 'action': 'request', 'input': {'url': '${input.url}'}}]}""");
        // in an execution input: refused before anything is stored
        String refused = given().contentType(ContentType.JSON).body(("{'workflow_id': '" + wf + "', 'input': {'url':"
                        + " 'http://admin:s3cret@localhost:" + server.actualPort() + "/items'}}").replace('\'', '"'))
                .post("/api/executions").then().statusCode(422).extract().asString();
        assertThat(refused).contains("/input/url").contains("user info").doesNotContain("s3cret");
        // in a definition, even around placeholders
        String definition = given().contentType(ContentType.JSON).body("""
                {"name": "http-userinfo-literal", "tasks": [{"id": "call", "component": "http", "action": "request",
                  "input": {"url": "https://${input.user}:${input.password}@example.com/"}}]}""")
                .post("/api/workflows").then().statusCode(422).extract().asString();
        assertThat(definition).contains("/tasks/0/input/url").contains("user info");
        // built by an expression at run time: the component refuses it without repeating it
        String built = given().contentType(ContentType.JSON).body("""
                {"name": "http-userinfo-built", "tasks": [
                  {"id": "call", "component": "http", "action": "request",
                   "input": {"url": "${'http://' + input.who + '@localhost:' + string(input.port) + '/items'}"}}]}""")
                .post("/api/workflows").then().statusCode(201).extract().path("workflow_id");
        JsonPath done = awaitFinished(start(built, "{'who': 'admin:s3cret', 'port': " + server.actualPort() + "}"));
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("error.type")).isEqualTo("VALIDATION_ERROR");
        assertThat(done.getString("error.message")).contains("user info").doesNotContain("s3cret");
        assertThat(done.getString("task_executions.call.error.message")).doesNotContain("s3cret");
    }
}
