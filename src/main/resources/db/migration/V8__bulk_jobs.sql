-- Bulk replays and re-runs (POST /api/executions/replay). A job selects the executions its filter matches when it is
-- created (in that transaction, ordered by start time then id, at most max_executions): they are its items, in
-- position order. Each item is marked done in the transaction of the append that does it (the replay's first
-- append, or the re-run's), so a crash never does an item twice and never loses one.
--   status      PENDING (nobody ran it yet), RUNNING, COMPLETED (no item left), CANCELED (by request)
--   owner       the replica running it; lease_until, renewed by it every third of harmonia.history.bulk-job-lease
--               from the database clock; once it has passed another replica resumes the job.
create table bulk_jobs (
    id             uuid        primary key,
    mode           text        not null,
    filter         json        not null,
    max_executions integer     not null,
    matched        integer     not null,
    status         text        not null,
    owner          text,
    lease_until    timestamptz,
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    finished_at    timestamptz
);
create index bulk_jobs_unfinished on bulk_jobs (created_at) where status in ('PENDING', 'RUNNING');

-- One row per selected execution. state: PENDING, DONE (result_id: the replay, or the execution itself for a
-- re-run), SKIPPED (reason: e.g. the execution is running now), FAILED (reason).
create table bulk_job_items (
    job_id       uuid        not null references bulk_jobs (id),
    position     integer     not null,
    execution_id uuid        not null,
    state        text        not null default 'PENDING',
    result_id    uuid,
    reason       text,
    updated_at   timestamptz,
    primary key (job_id, position)
);
create index bulk_job_items_pending on bulk_job_items (job_id, position) where state = 'PENDING';
