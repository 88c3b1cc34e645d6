DROP TRIGGER tasks_report_delete;
DROP TRIGGER tasks_report_update;
DROP TRIGGER tasks_report_insert;
DROP TABLE report_state;
