-- Sub-workflows (workflow.run): a child execution names the execution that started it, so that
-- GET /api/executions?parent_id= lists the children of an execution (newest first, like every list).
alter table executions add column parent_id uuid;
create index executions_parent on executions (parent_id, created_at desc, id) where parent_id is not null;
