package io.harmonia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tiny run of the waits benchmark ({@code bench/WaitsBench.java}, as {@code bench/waits.sh} runs it) against the
 * test instance, whose own process it measures: the harness keeps working as the API changes. Not a measurement (the
 * numbers are not checked); its waits are of PT0S, so they leave nothing running in the test database.
 */
@QuarkusTest
class WaitsBenchSmokeTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void theWaitsBenchmarkReportsTheHeapAtEachCheckpoint() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "bench/WaitsBench.java", "--url", "http://localhost:" + url.getPort(),
                "--pid", String.valueOf(ProcessHandle.current().pid()), "--executions", "20", "--concurrency", "4",
                "--checkpoints", "0,10,20", "--warmup", "5", "--hot-bound", "1000000", "--duration", "PT0S")
                .directory(new File(".")).redirectErrorStream(true).start();
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the benchmark ended; it printed:%n%s", out).isTrue();
        assertThat(p.exitValue()).as("exit code; it printed:%n%s", out).isZero();
        assertThat(out).contains("warm-up: 5 executions of a wait of PT0S")
                .containsPattern("\\| 0 \\| 0 \\| \\d+ \\| \\d+\\.\\d \\| 0\\.0 \\| - \\|")
                .containsPattern("\\| 10 \\| \\d+ \\| \\d+ \\| \\d+\\.\\d \\| -?\\d+\\.\\d \\| -?\\d+ \\|")
                .containsPattern("\\| 20 \\| \\d+ \\| \\d+ \\| \\d+\\.\\d \\| -?\\d+\\.\\d \\| -?\\d+ \\|");
    }
}
