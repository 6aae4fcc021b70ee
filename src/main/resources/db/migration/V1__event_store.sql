-- The event store: one append-only table. Each stream (an execution, a workflow) has a gap-free version;
-- the (stream_id, stream_version) key is the optimistic concurrency check.
create table events (
    global_position bigserial   primary key,
    stream_id       text        not null,
    stream_version  integer     not null,
    event_type      text        not null,
    schema_version  smallint    not null,
    payload         jsonb       not null,
    occurred_at     timestamptz not null,
    recorded_at     timestamptz not null default now(),
    -- the writing transaction: the global feed orders by (tx_id, global_position) and only reads transactions
    -- older than every running one (pg_snapshot_xmin), so an event that commits late is never skipped
    tx_id           xid8        not null default pg_current_xact_id(),
    constraint events_stream_version_unique unique (stream_id, stream_version)
);
create index events_feed on events (tx_id, global_position);

-- Workflow definitions: read models folded from the workflow streams, written in the append's transaction.
create table workflows (
    id          uuid        primary key,
    name        text        not null,
    description text,
    version     integer     not null,
    definition  jsonb       not null,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    deleted     boolean     not null default false
);
create index workflows_name on workflows (lower(name)) where not deleted;

create table workflow_versions (
    workflow_id uuid        not null,
    version     integer     not null,
    definition  jsonb       not null,
    created_at  timestamptz not null,
    primary key (workflow_id, version)
);

-- The execution read model (the list/filter view), kept in step with the events in the same transaction.
create table executions (
    id               uuid        primary key,
    workflow_id      uuid        not null,
    workflow_version integer     not null,
    status           text        not null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    stream_version   integer     not null,
    view             jsonb       not null
);
create index executions_created on executions (created_at desc, id);
create index executions_status_created on executions (status, created_at desc);
create index executions_workflow_created on executions (workflow_id, created_at desc);

create table idempotency_keys (
    key          text        primary key,
    execution_id uuid        not null,
    created_at   timestamptz not null default now()
);
