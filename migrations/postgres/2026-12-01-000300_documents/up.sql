-- A task may wait for its lead unit: a directive addressed to a group with no
-- unit behind it ("các sở, ngành") is confirmed "chưa có đơn vị chủ trì".
ALTER TABLE tasks ALTER COLUMN lead_unit_id DROP NOT NULL;

-- The conclusion document a meeting was recorded from (the signed Thông báo),
-- kept on disk like report attachments.
CREATE TABLE meeting_documents (
    id BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    file_path TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meeting_documents_meeting ON meeting_documents(meeting_id);
