DROP TRIGGER tasks_report_truncate ON tasks;
DROP TRIGGER tasks_report_change ON tasks;
DROP FUNCTION bump_report_version();
DROP TABLE report_state;
