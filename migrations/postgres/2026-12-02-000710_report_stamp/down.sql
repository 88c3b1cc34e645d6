DROP TRIGGER meetings_report_stamp ON meetings;
DROP FUNCTION stamp_meeting_tasks();
DROP TRIGGER meetings_report_change ON meetings;
DROP TRIGGER tasks_report_truncate ON tasks;
DROP TRIGGER tasks_report_delete ON tasks;
DROP FUNCTION note_report_deletion();
DROP TRIGGER tasks_report_stamp ON tasks;
DROP FUNCTION stamp_report_row();
DROP TRIGGER tasks_report_change ON tasks;
CREATE TRIGGER tasks_report_change
BEFORE INSERT OR DELETE OR UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();
CREATE TRIGGER tasks_report_truncate
BEFORE TRUNCATE ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();
ALTER TABLE report_state DROP COLUMN deletions;
DROP INDEX tasks_report_stamp;
ALTER TABLE tasks DROP COLUMN report_stamp;
