-- A task may wait for its lead unit: a directive addressed to a group with no
-- unit behind it ("các sở, ngành") is confirmed "chưa có đơn vị chủ trì".
-- SQLite cannot drop a NOT NULL in place: the table is rebuilt (same columns,
-- ids, indexes and triggers).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE tasks_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    meeting_id BIGINT REFERENCES meetings(id),
    content TEXT NOT NULL,
    search_text TEXT NOT NULL,
    lead_unit_id BIGINT REFERENCES units(id),
    assigned_on DATE NOT NULL,
    deadline DATE,
    original_deadline DATE,
    expected_output TEXT NOT NULL DEFAULT '',
    completed_on DATE,
    cancelled_on DATE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    percent INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    version INTEGER NOT NULL DEFAULT 1,
    assigned_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    confidential BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO tasks_rebuilt (id, reference, meeting_id, content, search_text, lead_unit_id,
    assigned_on, deadline, original_deadline, expected_output, completed_on, cancelled_on,
    cancel_reason, percent, version, assigned_by, created_at, updated_at, confidential)
SELECT id, reference, meeting_id, content, search_text, lead_unit_id,
    assigned_on, deadline, original_deadline, expected_output, completed_on, cancelled_on,
    cancel_reason, percent, version, assigned_by, created_at, updated_at, confidential
FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_rebuilt RENAME TO tasks;
CREATE INDEX tasks_report ON tasks(assigned_on, lead_unit_id, deadline, completed_on, cancelled_on, original_deadline);
CREATE INDEX tasks_lead_unit ON tasks(lead_unit_id, assigned_on);
CREATE INDEX tasks_meeting ON tasks(meeting_id);
CREATE INDEX tasks_report_completed ON tasks(completed_on, assigned_on, lead_unit_id, deadline, cancelled_on, original_deadline);
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
UPDATE report_state SET version = version + 1 WHERE id = 1;

-- The conclusion document a meeting was recorded from (the signed Thông báo),
-- kept on disk like report attachments.
CREATE TABLE meeting_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    file_path TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meeting_documents_meeting ON meeting_documents(meeting_id);
COMMIT;
PRAGMA foreign_keys = ON;
