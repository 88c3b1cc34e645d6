DROP INDEX tasks_report_completed;
DROP TABLE period_close_counts;
DROP TABLE period_closes;
ALTER TABLE users DROP COLUMN scope_unit_id;
