-- Several replicas (README, "Several replicas"). Executions are split into a fixed number of partitions
-- (harmonia.cluster.partitions; an execution's partition comes from its id, see runtime.cluster.Partitioning).
-- Each partition has at most one owner replica, which drives its executions.
--   owner       the replica that owns it, null while nobody does (released, or never claimed)
--   epoch       the fencing epoch: +1 at every claim. Every append checks, in its own transaction and under
--               FOR SHARE, that its replica still owns the partition with the epoch it claimed it with, so an old
--               owner that was paused past its lease cannot append once another replica has taken the partition.
--   lease_until the owner renews it every harmonia.cluster.renew-interval; once it has passed, another replica may
--               claim the partition (with epoch + 1). Always written from the database clock (now()).
--   handover    what the last owner left when it released the partition cleanly (runtime.cluster.Handover as
--               JSON); read and cleared by the next claim. Null: the next owner takes over as after a crash.
-- The rows are inserted at the first start (one per partition) and never deleted; their count is checked at every
-- start, since changing the partition count would move executions between partitions.
create table partitions (
    partition  int primary key,
    owner      text,
    epoch      bigint not null default 0,
    lease_until timestamptz,
    handover   jsonb,
    updated_at timestamptz not null default now()
);

-- The replicas that take part, with a heartbeat every renew interval. "Live" replicas (heartbeat within the lease,
-- not draining) share the partitions: each one owns about partitions / live replicas. A draining replica is
-- shutting down and handing its partitions over. Rows whose heartbeat is much older than the lease are deleted.
create table replicas (
    replica_id   text primary key,
    host         text,
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null,
    draining     boolean not null default false
);
