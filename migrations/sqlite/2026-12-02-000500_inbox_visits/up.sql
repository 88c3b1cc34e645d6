-- When each user last opened the inbox: its feed marks what is newer than the visit before.
CREATE TABLE inbox_visits (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    seen_at TIMESTAMP NOT NULL
);
