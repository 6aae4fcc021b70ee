package io.harmonia.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.WebSocket;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.junit.jupiter.api.Test;

/**
 * /q/openapi documents every endpoint the application serves, with its query parameters and headers, and its
 * problem+json errors. The document is written by hand (META-INF/openapi.yaml); this test is what keeps it complete.
 */
@QuarkusTest
class OpenApiDocumentTest {

    /** Routes registered on the Vert.x router rather than by annotations (SseStreams). */
    private static final List<Endpoint> ROUTER_ENDPOINTS = List.of(
            new Endpoint("get", "/events/executions", Set.of(), Set.of()),
            new Endpoint("get", "/events/executions/{id}", Set.of(), Set.of()));

    private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(GET.class, "get", POST.class,
            "post", PUT.class, "put", DELETE.class, "delete", PATCH.class, "patch");

    /** One served operation with the query parameters and headers its method reads. */
    record Endpoint(String method, String path, Set<String> query, Set<String> headers) {}

    private static JsonNode document() throws Exception {
        String json = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString();
        return new ObjectMapper().readTree(json);
    }

    static List<Endpoint> servedEndpoints() {
        List<Endpoint> out = new ArrayList<>(ROUTER_ENDPOINTS);
        for (JavaClass jc : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.harmonia")) {
            Class<?> c = jc.reflect();
            WebSocket ws = c.getAnnotation(WebSocket.class);
            if (ws != null) {
                out.add(new Endpoint("get", ws.path(), Set.of(), Set.of()));
            }
            Path root = c.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : c.getDeclaredMethods()) {
                String verb = VERBS.entrySet().stream().filter(e -> m.isAnnotationPresent(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String path = root.value() + (sub == null ? "" : sub.value());
                Set<String> query = new TreeSet<>();
                Set<String> headers = new TreeSet<>();
                for (Parameter p : m.getParameters()) {
                    RestQuery rq = p.getAnnotation(RestQuery.class);
                    QueryParam qp = p.getAnnotation(QueryParam.class);
                    RestHeader rh = p.getAnnotation(RestHeader.class);
                    HeaderParam hp = p.getAnnotation(HeaderParam.class);
                    if (rq != null) {
                        query.add(rq.value().isEmpty() ? p.getName() : rq.value());
                    } else if (qp != null) {
                        query.add(qp.value());
                    } else if (rh != null) {
                        headers.add(rh.value().isEmpty() ? p.getName() : rh.value());
                    } else if (hp != null) {
                        headers.add(hp.value());
                    }
                }
                out.add(new Endpoint(verb, path.replaceAll("/+$", ""), query, headers));
            }
        }
        return out;
    }

    private static Set<String> documented(JsonNode doc, JsonNode pathItem, JsonNode operation, String in) {
        Set<String> names = new TreeSet<>();
        for (JsonNode params : List.of(pathItem.path("parameters"), operation.path("parameters"))) {
            for (JsonNode p : params) {
                JsonNode resolved = p.has("$ref") ? doc.at(p.get("$ref").asText().substring(1)) : p;
                if (in.equals(resolved.path("in").asText())) {
                    names.add(resolved.path("name").asText());
                }
            }
        }
        return names;
    }

    @Test
    void everyServedEndpointIsDocumentedWithItsParameters() throws Exception {
        JsonNode doc = document();
        List<Endpoint> served = servedEndpoints();
        assertThat(served).extracting(Endpoint::path).contains("/api/workflows", "/api/workflows/{id}",
                "/api/executions", "/api/subscriptions", "/api/components", "/ws/executions/{id}");
        for (Endpoint e : served) {
            JsonNode pathItem = doc.path("paths").path(e.path());
            assertThat(pathItem.isObject()).as("path %s is documented", e.path()).isTrue();
            JsonNode op = pathItem.path(e.method());
            assertThat(op.isObject()).as("%s %s is documented", e.method().toUpperCase(), e.path()).isTrue();
            assertThat(documented(doc, pathItem, op, "query")).as("query parameters of %s %s", e.method(), e.path())
                    .containsAll(e.query());
            assertThat(documented(doc, pathItem, op, "header")).as("headers of %s %s", e.method(), e.path())
                    .containsAll(e.headers());
        }
        // and nothing is documented that is not served
        Set<String> servedPaths = new TreeSet<>();
        served.forEach(e -> servedPaths.add(e.path()));
        assertThat(doc.path("paths").fieldNames()).toIterable().allSatisfy(p -> assertThat(servedPaths).contains(p));
    }

    @Test
    void errorsAreDocumentedAsProblemJson() throws Exception {
        JsonNode doc = document();
        JsonNode create = doc.at("/paths/~1api~1workflows/post/responses");
        assertThat(create.fieldNames()).toIterable().contains("201", "400", "413", "422");
        JsonNode validation = doc.at("/components/responses/ValidationError/content");
        assertThat(validation.has("application/problem+json")).isTrue();
        assertThat(validation.at("/application~1problem+json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(doc.at("/components/schemas/Problem/required").toString()).contains("type", "title", "status",
                "detail");
        assertThat(doc.at("/paths/~1api~1workflows~1{id}/get/responses").has("404")).isTrue();
        assertThat(doc.at("/paths/~1api~1executions/post/responses").fieldNames()).toIterable()
                .contains("422", "429");
        assertThat(doc.at("/paths/~1api~1executions~1{id}~1cancel/post/responses").has("409")).isTrue();
    }

    @Test
    void everyReferenceResolves() throws Exception {
        JsonNode doc = document();
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        });
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject() && node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectRefs(child, refs));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }
}
