package io.harmonia.api.stream;

import io.harmonia.config.StreamConfig;
import io.harmonia.stream.StreamService;
import io.harmonia.stream.StreamSubscriber;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * {@code /ws/executions/{id}?after=<sequence>&types=...}: one execution's snapshot, then its events in order, live.
 * Checked before the upgrade by {@link StreamUpgradeCheck} (404, 400).
 */
@WebSocket(path = "/ws/executions/{id}", endpointId = ExecutionStreamSocket.ID)
public class ExecutionStreamSocket {
    static final String ID = "harmonia-execution-stream";
    static final UserData.TypedKey<StreamSubscriber> SUBSCRIBER = new UserData.TypedKey<>("harmonia.stream.sub");

    private final StreamService streams;
    private final StreamConfig config;
    private final Vertx vertx;

    public ExecutionStreamSocket(StreamService streams, StreamConfig config, Vertx vertx) {
        this.streams = streams;
        this.config = config;
        this.vertx = vertx;
    }

    @OnOpen
    public Uni<Void> open(WebSocketConnection connection) {
        StreamService.Checked checked = connection.userData().get(StreamUpgradeCheck.CHECKED);
        if (checked == null) {
            return connection.close(new CloseReason(1011, "the request was not checked before the upgrade"));
        }
        WebSocketSink sink = new WebSocketSink(connection, connection.userData().get(StreamUpgradeCheck.TCP), vertx,
                config.closeTimeout());
        connection.userData().put(SUBSCRIBER, streams.openExecution(connection.pathParam("id"), checked, sink));
        return Uni.createFrom().voidItem();
    }

    @OnClose
    public Uni<Void> close(WebSocketConnection connection) {
        StreamSubscriber sub = connection.userData().get(SUBSCRIBER);
        if (sub != null) {
            sub.cancel();
        }
        return Uni.createFrom().voidItem();
    }
}
