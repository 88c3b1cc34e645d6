-- The version of the report data: raised in the same transaction as every
-- change of a task's lead unit or dates, so that a report computed at one
-- version can be reused exactly until the next change. The token tells this
-- database apart from any other the same process talks to.
CREATE TABLE report_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO report_state (id, token, version) VALUES (1, md5(random()::text || clock_timestamp()::text), 0);

CREATE FUNCTION bump_report_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

-- Once per statement, and before it locks any task row: every writer takes the
-- version row first, so two writers never wait on each other in opposite order.
CREATE TRIGGER tasks_report_change
BEFORE INSERT OR DELETE OR UPDATE OF lead_unit_id, assigned_on, deadline, original_deadline, completed_on, cancelled_on ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();

CREATE TRIGGER tasks_report_truncate
BEFORE TRUNCATE ON tasks
FOR EACH STATEMENT EXECUTE FUNCTION bump_report_version();
