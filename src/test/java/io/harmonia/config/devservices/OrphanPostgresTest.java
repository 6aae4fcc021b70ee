package io.harmonia.config.devservices;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev session killed with {@code kill -9} leaves its embedded Postgres running on the kept data directory; the next
 * start stops that orphan and starts on the same directory, with the data it holds.
 */
class OrphanPostgresTest {

    /** The "dev session": starts an embedded Postgres on a data directory, prints its port, then waits. */
    public static final class Session {
        public static void main(String[] args) throws Exception {
            EmbeddedPostgres pg = start(Path.of(args[0]));
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                c.createStatement().execute("create table kept (v text); insert into kept values ('survives')");
            }
            System.out.println("PORT " + pg.getPort());
            System.out.flush();
            new java.util.concurrent.CountDownLatch(1).await(); // blocks until this process is killed (SIGKILL)
        }
    }

    static EmbeddedPostgres start(Path dir) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start();
    }

    @Test
    void theNextStartStopsThePostgresAKilledSessionLeftRunning(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("harmonia-dev-postgres");
        Files.createDirectories(dir);
        // given a session that started an embedded Postgres and was killed with SIGKILL
        Process session = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Session.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(session.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("PORT "));
            assertThat(line).as("the session's Postgres started").isNotNull();
        }
        session.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long orphan = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the orphan runs on").contains(true);

        try {
            // when the next start clears the directory first
            OrphanPostgres.clear(dir);

            // then the embedded Postgres starts on the same data, and the orphan is gone
            try (EmbeddedPostgres pg = start(dir); Connection c = pg.getPostgresDatabase().getConnection()) {
                ResultSet rs = c.createStatement().executeQuery("select v from kept");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("survives");
            }
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroy); // never leave it running
        }
    }

    @Test
    void aPidFileOfAnotherProcessIsRemovedAndAnythingElseLeftAlone(@TempDir Path dir) throws Exception {
        // the pid of this JVM: alive, but not a postgres serving this directory
        Files.write(dir.resolve("postmaster.pid"), List.of(String.valueOf(ProcessHandle.current().pid()),
                dir.toString(), "1", "5432"));
        OrphanPostgres.clear(dir);
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        assertThat(new File(dir.toFile(), "other").createNewFile()).isTrue();
        OrphanPostgres.clear(dir); // no pid file: nothing to do
        assertThat(dir.resolve("other")).exists();
    }
}
