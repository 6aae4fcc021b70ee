package io.harmonia.api.stream;

import io.harmonia.stream.StreamRequest;
import io.harmonia.stream.StreamService;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Checks a live-stream WebSocket request before the upgrade: an unknown execution is refused with 404, bad filters or
 * a bad {@code after} with 400 (the problem's detail in the {@code Harmonia-Problem} header: a refused upgrade has
 * no body). What the checks found is handed to the endpoint in the connection's user data.
 */
@ApplicationScoped
public class StreamUpgradeCheck implements HttpUpgradeCheck {
    private static final Logger LOG = Logger.getLogger(StreamUpgradeCheck.class);
    static final UserData.TypedKey<StreamService.Checked> CHECKED = new UserData.TypedKey<>("harmonia.stream.checked");
    static final UserData.TypedKey<HttpConnection> TCP = new UserData.TypedKey<>("harmonia.stream.connection");

    private final StreamService streams;

    public StreamUpgradeCheck(StreamService streams) {
        this.streams = streams;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return ExecutionStreamSocket.ID.equals(endpointId) || GlobalStreamSocket.ID.equals(endpointId);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        boolean global = GlobalStreamSocket.ID.equals(context.endpointId());
        MultiMap params = context.httpRequest().params();
        Uni<StreamService.Checked> checked;
        try {
            StreamRequest request = StreamRequest.parse(name -> join(params.getAll(name)), null, global);
            checked = global ? streams.checkGlobal(request)
                    : streams.checkExecution(context.pathParam("id"), request);
        } catch (RuntimeException e) {
            checked = Uni.createFrom().failure(e);
        }
        return checked.map(c -> {
            context.userData().put(CHECKED, c);
            context.userData().put(TCP, context.httpRequest().connection());
            return CheckResult.permitUpgradeSync();
        }).onFailure().recoverWithItem(err -> {
            StreamProblems.Answer a = StreamProblems.of(err);
            if (a.status() >= 500) {
                LOG.warnf("could not check a live-stream request %s: %s", context.httpRequest().uri(), err);
            }
            return CheckResult.rejectUpgradeSync(a.status(),
                    Map.of("Harmonia-Problem", List.of(StreamProblems.headerValue(a.detail()))));
        });
    }

    static String join(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }
}
