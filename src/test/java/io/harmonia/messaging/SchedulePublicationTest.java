package io.harmonia.messaging;

import static io.harmonia.api.ApiAccess.createWorkflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A schedule's events are published like every event: CloudEvents keyed by the schedule id, in order. */
@QuarkusTest
class SchedulePublicationTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aSchedulesHistoryIsPublishedAsCloudEvents() {
        String wf = createWorkflow("""
                {'name': 'published_schedule', 'tasks': [{'id': 'a', 'component': 'core', 'action': 'echo'}]}""");
        String id = given().contentType(ContentType.JSON)
                .body(("{'workflow_id': '" + wf + "', 'cron': '0 0 1 1 *', 'paused': true}").replace('\'', '"'))
                .post("/api/schedules").then().statusCode(201).extract().path("schedule_id");
        given().post("/api/schedules/" + id + "/trigger").then().statusCode(201);
        given().delete("/api/schedules/" + id).then().statusCode(204);
        try (KafkaEvents events = new KafkaEvents(bootstrap, "harmonia.events")) {
            var received = events.pollUntil(r -> r.stream().filter(x -> id.equals(x.key())).count() == 3,
                    Duration.ofSeconds(30));
            var mine = received.stream().filter(r -> id.equals(r.key())).toList();
            assertThat(mine).extracting(r -> r.header("ce_type")).containsExactly("io.harmonia.schedule.created",
                    "io.harmonia.schedule.fired", "io.harmonia.schedule.deleted");
            assertThat(mine).extracting(r -> r.header("ce_subject")).containsOnly(id);
            assertThat(mine).extracting(r -> r.header("ce_sequence")).containsExactly("1", "2", "3");
            assertThat(mine).allSatisfy(r -> assertThat(r.headers()).doesNotContainKey(Topics.CE_WORKFLOW_ID));
            assertThat(mine.get(1).value()).contains("\"outcome\":\"started\"").contains("\"manual\":true");
            assertThat(List.of(mine.get(0).header("ce_id"))).containsExactly("schedule-" + id + "/1");
        }
    }
}
