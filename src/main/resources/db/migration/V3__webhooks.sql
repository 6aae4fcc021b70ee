-- Webhook subscriptions: events POSTed as CloudEvents to a URL. Each subscription follows the global feed from its
-- own durable cursor, advanced only after the receiver answered 2xx (or the event did not match), so deliveries
-- survive restarts and a failing endpoint delays nobody else.
create table webhook_subscriptions (
    id                uuid        primary key,
    url               text        not null,
    event_types       text[]      not null,            -- stream names; empty = every type
    workflow_id       uuid,                            -- null = every workflow
    secret            text        not null,            -- HMAC-SHA256 key of the Harmonia-Signature header
    created_at        timestamptz not null default now(),
    -- everything up to here in the global feed was delivered or did not match
    cursor_tx_id      xid8        not null,
    cursor_position   bigint      not null,
    -- the delivery in progress (the first matching event after the cursor)
    attempts          integer     not null default 0,  -- failed attempts of that event so far
    next_attempt_at   timestamptz,
    last_attempt_at   timestamptz,
    last_status       integer,                         -- HTTP status of the last failed attempt (null: no answer)
    last_error        text,
    delivered         bigint      not null default 0,
    last_delivered_at timestamptz,
    last_delivered_id text
);
create index webhook_subscriptions_created on webhook_subscriptions (created_at desc, id);
