-- Each task carries the data version of its last change that the report
-- reads (lead unit, dates, the original deadline, its own and its meeting's
-- confidential flag), so that a process holding the report's rows at one
-- version reads only the rows stamped after it. Deletions are counted apart:
-- a deleted row leaves no stamp, so a reader that sees the count move reads
-- everything again.
ALTER TABLE tasks ADD COLUMN report_stamp BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tasks_report_stamp ON tasks(report_stamp);
ALTER TABLE report_state ADD COLUMN deletions BIGINT NOT NULL DEFAULT 0;

-- The version is still raised once per statement, before any task row is
-- locked, by the statement trigger; the row trigger then reads the raised
-- version. The version row stays locked by the writer until its commit, so
-- versions and stamps follow the order of commits, and a reader who sees
-- version V sees every row stamped up to V. Raising it later (a deferred
-- trigger at commit) would shorten that lock, but the stamp must be known
-- when the row is written, and writing each row twice costs more than it saves.
DROP TRIGGER tasks_report_change ON tasks;
CREATE TRIGGER tasks_report_change
BEFORE INSERT OR UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on, confidential, meeting_id ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();

CREATE FUNCTION stamp_report_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.report_stamp := (SELECT version FROM report_state WHERE id = 1);
    RETURN NEW;
END
$$;

CREATE TRIGGER tasks_report_stamp
BEFORE INSERT OR UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on, confidential, meeting_id ON tasks
FOR EACH ROW EXECUTE FUNCTION stamp_report_row();

CREATE FUNCTION note_report_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_state SET version = version + 1, deletions = deletions + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_report_delete
BEFORE DELETE ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION note_report_deletion();

DROP TRIGGER tasks_report_truncate ON tasks;
CREATE TRIGGER tasks_report_truncate
BEFORE TRUNCATE ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION note_report_deletion();

-- A meeting's flag makes its tasks confidential: its change stamps them,
-- taking the version row first like any task change.
CREATE TRIGGER meetings_report_change
BEFORE UPDATE OF confidential ON meetings
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();

CREATE FUNCTION stamp_meeting_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET report_stamp = (SELECT version FROM report_state WHERE id = 1)
    WHERE meeting_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER meetings_report_stamp
AFTER UPDATE OF confidential ON meetings
FOR EACH ROW WHEN (OLD.confidential IS DISTINCT FROM NEW.confidential)
EXECUTE FUNCTION stamp_meeting_tasks();
