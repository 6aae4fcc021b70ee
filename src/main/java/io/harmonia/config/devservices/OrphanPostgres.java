package io.harmonia.config.devservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Cleans up after a dev session that was killed ({@code kill -9} of {@code ./mvnw quarkus:dev}): its embedded
 * Postgres outlives it, still owning the data directory, and the next start would fail with "another postmaster is
 * running". Before the embedded Postgres starts on a kept data directory, this reads {@code postmaster.pid}: if the
 * process it names is alive, is a {@code postgres} and serves this very data directory, it is stopped (SIGTERM, as
 * {@code pg_ctl stop -m smart}; its clients died with the session) and awaited; a {@code postmaster.pid} naming a
 * process that is not our postgres (a stale file, a reused pid) is removed. Anything else is left alone.
 */
final class OrphanPostgres {
    private static final Logger LOG = Logger.getLogger(OrphanPostgres.class);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private OrphanPostgres() {}

    /** Stops the postgres left running on {@code dataDir} by an earlier process, or removes a stale pid file. */
    static void clear(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            LOG.debugf("could not read %s: %s", pidFile, e.getMessage());
            return;
        }
        if (lines.size() < 2 || !lines.get(0).trim().matches("\\d+")) {
            return; // postgres is writing it right now, or it is not a pid file: leave it to postgres
        }
        long pid = Long.parseLong(lines.get(0).trim());
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        boolean ours = process.isPresent() && isPostgres(process.get()) && sameDir(lines.get(1).trim(), dataDir);
        if (!ours) {
            try {
                Files.deleteIfExists(pidFile);
                LOG.infof("removed the stale %s (pid %d is not a postgres serving this directory)", pidFile, pid);
            } catch (IOException e) {
                LOG.debugf("could not remove %s: %s", pidFile, e.getMessage());
            }
            return;
        }
        LOG.warnf("the embedded Postgres of an earlier dev session (pid %d) still runs on %s, probably because that"
                + " session was killed; stopping it", pid, dataDir);
        ProcessHandle postmaster = process.get();
        postmaster.destroy(); // SIGTERM: smart shutdown
        try {
            postmaster.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Postgres of an earlier dev session (pid " + pid
                    + ") still runs on " + dataDir + " and did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM; stop it (kill " + pid + ") or delete that directory", e);
        }
        try {
            Files.deleteIfExists(pidFile); // postgres removes it on exit; if not, it is stale now
        } catch (IOException e) {
            LOG.debugf("could not remove %s: %s", pidFile, e.getMessage());
        }
        LOG.infof("stopped the orphaned embedded Postgres (pid %d)", pid);
    }

    private static boolean isPostgres(ProcessHandle p) {
        return p.info().command().map(c -> Path.of(c).getFileName().toString().startsWith("postgres"))
                .orElse(false);
    }

    private static boolean sameDir(String recorded, Path dataDir) {
        try {
            return Path.of(recorded).toRealPath().equals(dataDir.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }
}
