ALTER TABLE tasks DROP COLUMN confidential;
ALTER TABLE meetings DROP COLUMN confidential;
DROP TABLE calendar_feeds;
CREATE TABLE calendar_feeds (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
    secret TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
DROP TABLE report_links;
ALTER TABLE api_tokens DROP COLUMN created_by;
DROP TABLE login_buckets;
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
DROP TABLE sessions;
