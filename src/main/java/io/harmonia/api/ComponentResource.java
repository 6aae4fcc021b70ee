package io.harmonia.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.component.Component;
import io.harmonia.component.ComponentRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.TreeSet;
import org.jboss.resteasy.reactive.RestPath;

/** The registered components and their actions: {@code /api/components}. Read from memory; nothing blocks. */
@Path("/api/components")
@Produces(MediaType.APPLICATION_JSON)
public class ComponentResource {

    private final ComponentRegistry registry;

    public ComponentResource(ComponentRegistry registry) {
        this.registry = registry;
    }

    @GET
    public JsonNode list() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        var items = o.putArray("items");
        registry.all().forEach(c -> items.add(describe(c)));
        return o;
    }

    @GET
    @Path("/{name}")
    public Response get(@RestPath String name) {
        return registry.get(name).map(c -> Response.ok(describe(c)).build())
                .orElseGet(() -> ProblemMappers.problem(404, "not-found", "Component not found",
                        "Expected a registered component named '" + name + "', found none; registered components are "
                                + new TreeSet<>(registry.components()), List.of()));
    }

    private static ObjectNode describe(Component c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", c.name());
        if (c.description() != null) {
            o.put("description", c.description());
        }
        o.put("transport", c.transport());
        if (c.destination() != null) {
            o.put("destination", c.destination());
        }
        var actions = o.putArray("actions");
        for (String action : new TreeSet<>(c.actions())) {
            ObjectNode a = actions.addObject().put("name", action).put("runs_inline", c.runsInline(action));
            c.describeAction(action).ifPresent(d -> {
                if (d.summary() != null) {
                    a.put("summary", d.summary());
                }
                if (d.input() != null) {
                    a.set("input", d.input());
                }
                if (d.output() != null) {
                    a.set("output", d.output());
                }
            });
        }
        return o;
    }
}
