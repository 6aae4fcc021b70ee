-- Definitions read back as they were written: json keeps the exact text (field order, a map of tasks in its order)
-- where jsonb reorders keys. Nothing queries inside a definition; name and description have their own columns.
alter table workflows alter column definition type json using definition::json;
alter table workflow_versions alter column definition type json using definition::json;
-- GET /api/workflows/{id}/versions lists name and description without reading each (up to 1 MB) definition.
alter table workflow_versions add column name text, add column description text;
update workflow_versions set name = definition->>'name', description = definition->>'description';
