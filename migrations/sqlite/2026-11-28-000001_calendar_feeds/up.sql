-- The secret of each unit's calendar feed (GET /ics/{secret}.ics): kept in
-- clear because the unit's page shows the address; a new secret revokes the old.
CREATE TABLE calendar_feeds (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
    secret TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- The reminders of one date: what the planner reads back to skip those already recorded.
CREATE INDEX reminders_on_date ON reminders(on_date, recipient);
-- The dead letters, newest first, for the admin page.
CREATE INDEX mail_outbox_state_created ON mail_outbox(state, created_at);
