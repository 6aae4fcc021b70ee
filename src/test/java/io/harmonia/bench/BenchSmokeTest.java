package io.harmonia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
        String base = "http://" + url.getHost() + ":" + url.getPort();
        String out = bench(base);
        assertThat(out)
                .contains("workload W1 (5 tasks, core.echo)")
                .containsPattern("executions/s \\d+\\.\\d\\s+tasks/s \\d+\\.\\d\\s+\\(20 executions")
                .containsPattern("latency ms\\s+p50 \\d+\\s+p95 \\d+\\s+p99 \\d+")
                .contains("events persisted per execution 17.0")
                .containsPattern("service CPU\\s+\\d+\\.\\d+ ms per execution")
                .doesNotContain("round-robin", "by replica");
    }

    /** Several URLs (bench/replicas.sh): here two names of the one test instance stand for two replicas. */
    @Test
    void theBenchmarkSpreadsStartsOverSeveralUrls() throws Exception {
        String first = "localhost:" + url.getPort();
        String second = "127.0.0.1:" + url.getPort();
        String out = bench("http://" + first + ",http://" + second);
        assertThat(out)
                .contains("starts round-robin over 2 replicas [" + first + ", " + second + "]")
                .containsPattern("executions/s \\d+\\.\\d\\s+tasks/s \\d+\\.\\d\\s+\\(20 executions")
                .contains("events persisted per execution 17.0")
                .containsPattern("service CPU seconds by replica:\\s+" + Pattern.quote(second) + " \\d+\\.\\d+\\s+"
                        + Pattern.quote(first) + " \\d+\\.\\d+");
    }

    private static String bench(String urls) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "bench/Bench.java", "--url", urls, "--workload", "W1",
                "--executions", "20", "--concurrency", "4", "--warmup", "0")
                .directory(new File(".")).redirectErrorStream(true).start();
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("the benchmark ended; it printed:%n%s", out).isTrue();
        assertThat(p.exitValue()).as("exit code; it printed:%n%s", out).isZero();
        return out;
    }
}
