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
 * A tiny run of the load benchmark ({@code bench/Bench.java}, exactly as a user runs it) against the test
 * instance: the harness keeps working as the API changes. Not a measurement (the numbers are not checked).
 */
@QuarkusTest
class BenchSmokeTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void theBenchmarkRunsW1AndReportsEveryNumber() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String base = "http://" + url.getHost() + ":" + url.getPort();
        Process p = new ProcessBuilder(java, "bench/Bench.java", "--url", base, "--workload", "W1",
                "--executions", "20", "--concurrency", "4", "--warmup", "0")
                .directory(new File(".")).redirectErrorStream(true).start();
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the benchmark ended; it printed:%n%s", out).isTrue();
        assertThat(p.exitValue()).as("exit code; it printed:%n%s", out).isZero();
        assertThat(out)
                .contains("workload W1 (5 tasks, core.echo)")
                .containsPattern("executions/s \\d+\\.\\d\\s+tasks/s \\d+\\.\\d\\s+\\(20 executions")
                .containsPattern("latency ms\\s+p50 \\d+\\s+p95 \\d+\\s+p99 \\d+")
                .contains("events persisted per execution 17.0")
                .containsPattern("service CPU\\s+\\d+\\.\\d+ ms per execution");
    }
}
