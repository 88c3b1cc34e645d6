-- Browser sessions kept on the server, so that every instance shares them and
-- any of them can end them. The cookie holds a random key; only its SHA-256 is
-- stored. `state` is the session's values (language, anti-forgery token,
-- flash messages) as JSON; the columns after it are copied out of it for the
-- account page and for ending a user's sessions.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    public_id TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);

-- Sign-in attempts as leaky buckets ("account:…", "pair:…|…", "address:…"):
-- the level drops with time, so that old failures stop counting.
DROP TABLE login_throttle;
CREATE TABLE login_buckets (
    key TEXT PRIMARY KEY,
    level DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Who made a token (NULL: the command line); a user makes their own.
ALTER TABLE api_tokens ADD COLUMN created_by BIGINT;

-- Password-less report links, by id, so that each can be revoked.
CREATE TABLE report_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX report_links_task ON report_links(task_id, unit_id);

-- Feed addresses are kept as SHA-256 hashes only. The old addresses were kept
-- in clear and cannot be hashed here: each unit makes a new one on /units.
DROP TABLE calendar_feeds;
CREATE TABLE calendar_feeds (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Confidential ("mật") meetings and tasks.
ALTER TABLE meetings ADD COLUMN confidential BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN confidential BOOLEAN NOT NULL DEFAULT FALSE;
