-- Where the Kafka relay is in the global feed: advanced only after Kafka acknowledged everything before it.
create table relay_cursor (
    name            text        primary key,
    tx_id           xid8        not null,
    global_position bigint      not null,
    updated_at      timestamptz not null default now()
);
insert into relay_cursor (name, tx_id, global_position) values ('kafka', '0', 0);
