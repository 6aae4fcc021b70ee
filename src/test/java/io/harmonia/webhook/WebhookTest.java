package io.harmonia.webhook;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.harmonia.api.ApiAccess.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.harmonia.stream.SmallBuffersProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks delivered to a real local HTTP server: CloudEvents, signatures, filters, retries, isolation. */
@QuarkusTest
@TestProfile(SmallBuffersProfile.class)
class WebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "a-test-secret-of-some-length";

    /** One POST as the receiver saw it. */
    record Received(Instant at, String path, String contentType, String signature, int attempt, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Inject
    Vertx vertx;

    private HttpServer server;
    private int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final List<String> subscriptions = new ArrayList<>();

    @BeforeEach
    void receiver() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle);
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    private void handle(HttpServerRequest req) {
        if (req.path().startsWith("/hang")) {
            return; // never answers
        }
        req.body().onSuccess(body -> {
            received.add(new Received(Instant.now(), req.path(), req.getHeader("Content-Type"),
                    req.getHeader("Harmonia-Signature"), Integer.parseInt(req.getHeader("Harmonia-Delivery-Attempt")),
                    body.toString()));
            boolean fail = req.path().startsWith("/flaky") && failuresLeft.getAndDecrement() > 0;
            req.response().setStatusCode(fail ? 500 : 204).end();
        });
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : subscriptions) {
            given().delete("/api/subscriptions/" + id);
        }
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String subscribe(String path, String types, String workflowId) {
        String id = given().contentType(ContentType.JSON).body("{\"url\": \"http://127.0.0.1:" + port + path
                        + "\", \"event_types\": " + types + ", \"workflow_id\": \"" + workflowId + "\", \"secret\": \""
                        + SECRET + "\"}")
                .post("/api/subscriptions").then().statusCode(201)
                .extract().path("id");
        subscriptions.add(id);
        return id;
    }

    private static String workflow(String name) {
        return createWorkflow(("{'name': '" + name + "', 'tasks': ["
                + "{'id': 'a', 'component': 'core', 'action': 'echo', 'input': {'n': '${input.n}'}},"
                + "{'id': 'b', 'component': 'core', 'action': 'echo', 'input': {'m': 1}, 'depends_on': ['a']}]}"));
    }

    private List<Received> to(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Test
    void deliversMatchingEventsAsSignedCloudEventsInOrder() {
        String wf = workflow("hooked");
        String other = workflow("not-hooked");
        String created = given().contentType(ContentType.JSON).body("{\"url\": \"http://127.0.0.1:" + port
                        + "/hook\", \"event_types\": [\"task_completed\", \"workflow_completed\"], \"workflow_id\": \""
                        + wf + "\", \"secret\": \"" + SECRET + "\"}")
                .post("/api/subscriptions").then().statusCode(201)
                .body("secret", equalTo(SECRET))
                .body("event_types", hasItems("task_completed", "workflow_completed"))
                .body("delivery.delivered", equalTo(0))
                .extract().path("id");
        subscriptions.add(created);
        start(other, "{'n': 0}");
        String execution = start(wf, "{'n': 7}");
        await().atMost(Duration.ofSeconds(30)).until(() -> to("/hook").size() >= 3);

        List<Received> hooks = to("/hook");
        assertThat(hooks).hasSize(3);
        List<String> types = new ArrayList<>();
        int lastSequence = 0;
        for (Received r : hooks) {
            assertThat(r.contentType()).isEqualTo("application/cloudevents+json; charset=utf-8");
            assertThat(WebhookSignature.verify(SECRET, r.signature(), r.body(), Instant.now(), Duration.ofMinutes(5)))
                    .as("signature of %s", r.body()).isTrue();
            assertThat(WebhookSignature.verify("another-secret-entirely", r.signature(), r.body(), Instant.now(),
                    Duration.ofMinutes(5))).isFalse();
            assertThat(r.attempt()).isEqualTo(1);
            JsonNode ce = r.json();
            assertThat(ce.path("specversion").asText()).isEqualTo("1.0");
            assertThat(ce.path("source").asText()).isEqualTo("/harmonia");
            assertThat(ce.path("subject").asText()).isEqualTo(execution);
            assertThat(ce.path("workflowid").asText()).isEqualTo(wf);
            assertThat(ce.path("time").asText()).isNotBlank();
            JsonNode data = ce.path("data");
            assertThat(ce.path("id").asText())
                    .isEqualTo("execution-" + execution + "/" + data.path("sequence").asInt());
            assertThat(data.path("execution_id").asText()).isEqualTo(execution);
            assertThat(data.path("sequence").asInt()).isGreaterThan(lastSequence);
            lastSequence = data.path("sequence").asInt();
            types.add(data.path("type").asText() + "/" + ce.path("type").asText());
        }
        assertThat(types).containsExactly("task_completed/io.harmonia.task.completed",
                "task_completed/io.harmonia.task.completed", "workflow_completed/io.harmonia.execution.completed");
        assertThat(hooks.get(0).json().path("data").path("output").path("n").asInt()).isEqualTo(7);
        // a tampered body does not verify
        assertThat(WebhookSignature.verify(SECRET, hooks.get(0).signature(), hooks.get(0).body().replace("7", "8"),
                Instant.now(), Duration.ofMinutes(5))).isFalse();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/api/subscriptions/" + created)
                .then().statusCode(200).body("delivery.delivered", equalTo(3))
                .body("delivery.last_delivered_id", equalTo("execution-" + execution + "/" + Streams.last(execution)))
                .body("secret", org.hamcrest.Matchers.nullValue()));
    }

    @Test
    void retriesAFailedDeliveryWithGrowingDelays() {
        String wf = workflow("flaky-hook");
        failuresLeft.set(2);
        String id = subscribe("/flaky", "[\"workflow_completed\"]", wf);
        String execution = start(wf, "{'n': 1}");
        await().atMost(Duration.ofSeconds(30)).until(() -> to("/flaky").size() >= 3);
        List<Received> attempts = to("/flaky");
        assertThat(attempts).extracting(Received::attempt).containsExactly(1, 2, 3);
        assertThat(attempts).extracting(r -> r.json().path("id").asText()).containsOnly("execution-" + execution
                + "/" + Streams.last(execution));
        long first = Duration.between(attempts.get(0).at(), attempts.get(1).at()).toMillis();
        long second = Duration.between(attempts.get(1).at(), attempts.get(2).at()).toMillis();
        assertThat(first).as("first retry delay").isGreaterThanOrEqualTo(300);
        assertThat(second).as("second retry delay").isGreaterThanOrEqualTo(600).isGreaterThan(first);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/api/subscriptions/" + id).then()
                .body("delivery.delivered", equalTo(1)).body("delivery.failing", equalTo(false))
                .body("delivery.attempts", equalTo(0)));
        assertThat(to("/flaky")).hasSize(3); // delivered once it was accepted, not again
    }

    @Test
    void aHangingEndpointDoesNotDelayAnotherSubscription() {
        String wf = workflow("isolated-hooks");
        subscribe("/hang", "[]", wf);
        subscribe("/ok", "[]", wf);
        String first = start(wf, "{'n': 1}");
        String second = start(wf, "{'n': 2}");
        int expected = Streams.last(first) + Streams.last(second);
        await().atMost(Duration.ofSeconds(8)).until(() -> to("/ok").size() >= expected);
        assertThat(to("/ok")).hasSize(expected);
    }

    @Test
    void invalidSubscriptionsAreRefusedWith422ListingEveryProblem() {
        given().contentType(ContentType.JSON).body("{\"url\": \"ftp://example.com/x\", \"event_types\":"
                        + " [\"task_completed\", \"task_exploded\"], \"workflow_id\": \"12\", \"secret\": \"short\","
                        + " \"color\": \"blue\"}")
                .post("/api/subscriptions").then().statusCode(422).contentType("application/problem+json")
                .body("errors.pointer", hasItems("/url", "/event_types/1", "/workflow_id", "/secret", "/color"))
                .body("errors.find { it.pointer == '/url' }.detail",
                        equalTo("expected an absolute http or https URL with a host, found 'ftp://example.com/x'"))
                .body("errors.find { it.pointer == '/secret' }.detail",
                        equalTo("expected a string of 16 to 256 characters, found 5 characters"));
        given().contentType(ContentType.JSON).body("{}").post("/api/subscriptions").then().statusCode(422)
                .body("errors[0].pointer", equalTo("/url"))
                .body("errors[0].detail", equalTo("expected an absolute http or https URL, found nothing"));
        String unknown = java.util.UUID.randomUUID().toString();
        given().contentType(ContentType.JSON).body("{\"url\": \"http://127.0.0.1:1/x\", \"workflow_id\": \""
                        + unknown + "\"}")
                .post("/api/subscriptions").then().statusCode(422)
                .body("errors[0].pointer", equalTo("/workflow_id"))
                .body("errors[0].detail", containsString(unknown));
    }

    @Test
    void subscriptionsCanBeListedReadAndDeleted() {
        String id = given().contentType(ContentType.JSON).body("{\"url\": \"https://example.com/hooks\"}")
                .post("/api/subscriptions").then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.containsString("/api/subscriptions/"))
                .body("secret", org.hamcrest.Matchers.startsWith("whsec_"))
                .body("event_types.size()", equalTo(0))
                .extract().path("id");
        subscriptions.add(id);
        given().get("/api/subscriptions/" + id).then().statusCode(200).body("url", equalTo("https://example.com/hooks"))
                .body("workflow_id", org.hamcrest.Matchers.nullValue()).body("created_at", notNullValue());
        given().get("/api/subscriptions?limit=500").then().statusCode(200).body("items.id", hasItems(id))
                .body("limit", equalTo(500));
        given().get("/api/subscriptions?limit=0").then().statusCode(400).contentType("application/problem+json");
        given().delete("/api/subscriptions/" + id).then().statusCode(204);
        given().get("/api/subscriptions/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString(id));
        given().delete("/api/subscriptions/" + id).then().statusCode(404);
        given().get("/api/subscriptions/nope").then().statusCode(404);
    }

    @Test
    void urlsTheDestinationPolicyRefusesAreRefusedWith422NamingTheUrl() {
        int own = io.restassured.RestAssured.port;
        for (String url : new String[] {"http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.1:" + own + "/api/subscriptions", "http://localhost:" + own + "/q/metrics",
                "http://0.0.0.0:" + port + "/hook", "http://[::ffff:169.254.169.254]/", "http://2852039166/"}) {
            given().contentType(ContentType.JSON).body("{\"url\": \"" + url + "\"}")
                    .post("/api/subscriptions").then().statusCode(422).contentType("application/problem+json")
                    .body("errors[0].pointer", equalTo("/url"))
                    .body("errors[0].detail", containsString("expected a URL the destination policy allows; "
                            + "destination not allowed by policy: "));
        }
        String refused = given().contentType(ContentType.JSON)
                .body("{\"url\": \"https://admin:s3cret@example.com/hooks\"}")
                .post("/api/subscriptions").then().statusCode(422)
                .body("errors[0].pointer", equalTo("/url"))
                .body("errors[0].detail", containsString("user info"))
                .extract().asString();
        assertThat(refused).doesNotContain("s3cret");
    }

    @Inject
    WebhookStore store;

    @Test
    void eachDeliveryIsCheckedAgainstThePolicy() {
        // stored without the API's check (as a subscription from before the policy, or one whose name now
        // resolves elsewhere): every attempt is refused before connecting
        String wf = workflow("refused-hook");
        String url = "http://127.0.0.1:" + io.restassured.RestAssured.port + "/q/metrics";
        String id = store.create(url, List.of("workflow_completed"), wf, SECRET).await()
                .atMost(Duration.ofSeconds(10)).id();
        subscriptions.add(id);
        start(wf, "{'n': 1}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/subscriptions/" + id).then()
                .body("delivery.failing", equalTo(true))
                .body("delivery.last_status", org.hamcrest.Matchers.nullValue())
                .body("delivery.last_error", containsString("destination not allowed by policy: 127.0.0.1 is"
                        + " Harmonia's own port " + io.restassured.RestAssured.port)));
    }
}
