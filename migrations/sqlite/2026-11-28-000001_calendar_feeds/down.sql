DROP INDEX mail_outbox_state_created;
DROP INDEX reminders_on_date;
DROP TABLE calendar_feeds;
