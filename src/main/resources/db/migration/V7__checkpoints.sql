-- Checkpoints are CheckpointCreated events in their execution's stream. Loading an execution starts from its latest
-- checkpoint at or before a sequence (this index: a few rows per stream), and GET /api/checkpoints/{id} finds one by
-- its id (the second index). Neither touches any other event, so appends of other events cost nothing more.
create index events_checkpoints on events (stream_id, stream_version)
    where event_type = 'CheckpointCreated';
create index events_checkpoint_ids on events ((payload->>'checkpoint_id'))
    where event_type = 'CheckpointCreated';
