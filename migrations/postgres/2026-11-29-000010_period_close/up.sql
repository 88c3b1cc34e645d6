-- The units whose report a user reads: the subtree of this unit (NULL: the whole tree).
ALTER TABLE users ADD COLUMN scope_unit_id BIGINT REFERENCES units(id);

-- A period's numbers frozen as of a date ("chốt số liệu"): one close per period.
CREATE TABLE period_closes (
    id BIGSERIAL PRIMARY KEY,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    as_of DATE NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    closed_by BIGINT REFERENCES users(id),
    closed_at TIMESTAMP NOT NULL,
    UNIQUE (period_from, period_to)
);

-- The frozen counts of every unit of the report, with the unit's code and name as they were.
CREATE TABLE period_close_counts (
    close_id BIGINT NOT NULL REFERENCES period_closes(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_code TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    total BIGINT NOT NULL,
    done_on_time BIGINT NOT NULL,
    done_late BIGINT NOT NULL,
    in_progress BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    carried_over BIGINT NOT NULL,
    extended BIGINT NOT NULL,
    overdue_upto_30 BIGINT NOT NULL,
    overdue_upto_60 BIGINT NOT NULL,
    overdue_upto_120 BIGINT NOT NULL,
    overdue_over_120 BIGINT NOT NULL,
    PRIMARY KEY (close_id, unit_id)
);

-- The carried-over part of the period report (assigned before the period, open or
-- completed since it started) read from an index instead of the whole table.
CREATE INDEX tasks_report_completed ON tasks(completed_on, assigned_on, lead_unit_id, deadline, cancelled_on, original_deadline);
