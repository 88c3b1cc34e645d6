DROP INDEX progress_reports_review;
