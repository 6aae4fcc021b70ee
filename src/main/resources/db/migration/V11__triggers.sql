-- Event triggers (issue 13): the read model of the trigger streams (trigger-<id>), updated in the transaction that
-- appends their events, with fire counters updated by the replicas that fire them (fires are not events).
create table triggers (
    id             uuid primary key,
    name           text not null,
    source         text not null,            -- 'kafka' | 'http'
    spec           json not null,            -- canonical, never a secret
    paused         boolean not null default false,
    deleted        boolean not null default false,
    version        int not null,             -- the stream version: changes with every event
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    fired          bigint not null default 0, -- executions started or signals delivered
    ignored        bigint not null default 0, -- events the filter turned away
    failed         bigint not null default 0, -- events that could not be parsed, mapped or applied (skipped)
    last_fired_at  timestamptz
);
create index triggers_list on triggers (created_at desc, id) where not deleted;

-- The HMAC keys of HTTP triggers, apart from the events and the view so that no event, view, log or Kafka record
-- can hold one. Erased when the trigger is deleted.
create table trigger_secrets (
    trigger_id uuid primary key,
    secret     text not null
);
