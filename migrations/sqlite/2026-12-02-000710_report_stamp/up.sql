-- Each task carries the data version of its last change that the report
-- reads (lead unit, dates, the original deadline, its own and its meeting's
-- confidential flag), so that a process holding the report's rows at one
-- version reads only the rows stamped after it. Deletions are counted apart:
-- a deleted row leaves no stamp, so a reader that sees the count move reads
-- everything again. SQLite has one writer at a time, so the version and the
-- stamps follow the order of commits.
ALTER TABLE tasks ADD COLUMN report_stamp BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tasks_report_stamp ON tasks(report_stamp);
ALTER TABLE report_state ADD COLUMN deletions BIGINT NOT NULL DEFAULT 0;

DROP TRIGGER tasks_report_insert;
DROP TRIGGER tasks_report_update;
DROP TRIGGER tasks_report_delete;

-- A trigger cannot change NEW here: the row is stamped by a second update,
-- which names no column of the UPDATE OF list and so fires nothing.
CREATE TRIGGER tasks_report_insert AFTER INSERT ON tasks
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
    UPDATE tasks SET report_stamp = (SELECT version FROM report_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER tasks_report_update
AFTER UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on, confidential, meeting_id ON tasks
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
    UPDATE tasks SET report_stamp = (SELECT version FROM report_state WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER tasks_report_delete AFTER DELETE ON tasks
BEGIN
    UPDATE report_state SET version = version + 1, deletions = deletions + 1 WHERE id = 1;
END;

-- A meeting's flag makes its tasks confidential: its change stamps them.
CREATE TRIGGER meetings_report_update
AFTER UPDATE OF confidential ON meetings
WHEN OLD.confidential IS NOT NEW.confidential
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
    UPDATE tasks SET report_stamp = (SELECT version FROM report_state WHERE id = 1) WHERE meeting_id = NEW.id;
END;
