-- The version of the report data: raised in the same transaction as every
-- change of a task's lead unit or dates, so that a report computed at one
-- version can be reused exactly until the next change. The token tells this
-- database apart from any other the same process talks to.
CREATE TABLE report_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO report_state (id, token, version) VALUES (1, lower(hex(randomblob(16))), 0);

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
