-- Several replicas: each unfinished execution belongs to a partition (from its id; the runtime fills the column for
-- executions that were running before this version) and tells when its owner must next take it up:
-- wake_at null: it has something running (its owner holds it in memory); a time: its earliest timer (retry delay,
-- task or workflow deadline), nothing running; 'infinity': nothing running and no timer (e.g. paused).
alter table executions add column partition smallint;
alter table executions add column wake_at timestamptz;
create index executions_wake on executions (partition, wake_at) where status in ('PENDING', 'RUNNING', 'PAUSED');
