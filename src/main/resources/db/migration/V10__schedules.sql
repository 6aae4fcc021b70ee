-- Schedules (cron), issue 13: the read model of the schedule streams (schedule-<id>), written in the transaction that
-- appends to the stream. state: the schedule folded from its events (so a fire does not re-read the stream);
-- stream_version: the version of its stream that state reflects (the next append expects it).
-- partition: the partition of the schedule's id; its owner fires it. next_fire_at: its next cron fire while active
-- (null when paused, deleted or past its end). buffered: a buffer_one fire waits for the running execution to end.
create table schedules (
    id uuid primary key,
    workflow_id uuid not null,
    partition smallint not null,
    status text not null,
    next_fire_at timestamptz,
    buffered boolean not null default false,
    stream_version int not null,
    state json not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index schedules_due on schedules (partition, next_fire_at) where status <> 'deleted';
create index schedules_buffered on schedules (partition) where buffered;
create index schedules_list on schedules (created_at desc, id) where status <> 'deleted';
create index schedules_workflow on schedules (workflow_id, created_at desc, id) where status <> 'deleted';
