-- List endpoints read a page by keyset (created_at desc, id): workflows had no index for that order.
create index workflows_created on workflows (created_at desc, id) where not deleted;

-- An Idempotency-Key remembers a hash of the request it started; the same key with another request is refused.
-- Keys older than harmonia.api.idempotency-key-ttl are ignored and swept (created_at is indexed for that).
alter table idempotency_keys add column request_hash text;
create index idempotency_keys_created on idempotency_keys (created_at);
