-- Attachments and conclusion documents kept in the database, in chunks, so
-- that every instance serves every file and a backup holds them all.
CREATE TABLE file_blobs (
    id BIGSERIAL PRIMARY KEY,
    size BIGINT NOT NULL,
    -- An uploaded conclusion whose meeting is not confirmed yet (expires after a day).
    pending BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE file_blob_chunks (
    blob_id BIGINT NOT NULL REFERENCES file_blobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
-- Drafts' documents are looked up by age to expire them.
CREATE INDEX file_blobs_pending ON file_blobs(created_at) WHERE pending;
