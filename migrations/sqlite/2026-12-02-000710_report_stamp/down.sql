DROP TRIGGER meetings_report_update;
DROP TRIGGER tasks_report_delete;
DROP TRIGGER tasks_report_update;
DROP TRIGGER tasks_report_insert;
CREATE TRIGGER tasks_report_insert AFTER INSERT ON tasks
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER tasks_report_update
AFTER UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on ON tasks
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER tasks_report_delete AFTER DELETE ON tasks
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
END;
ALTER TABLE report_state DROP COLUMN deletions;
DROP INDEX tasks_report_stamp;
ALTER TABLE tasks DROP COLUMN report_stamp;
