CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES units(id),
    email TEXT,
    head_email TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE unit_aliases (
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    PRIMARY KEY (unit_id, alias)
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'official', 'unit', 'leader')),
    unit_id BIGINT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'vi',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE meetings (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    held_on DATE NOT NULL,
    chair TEXT NOT NULL DEFAULT '',
    organiser_unit_id BIGINT REFERENCES units(id),
    document_ref TEXT NOT NULL DEFAULT '',
    conclusion_text TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_held_on ON meetings(held_on);

CREATE TABLE tasks (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    meeting_id BIGINT REFERENCES meetings(id),
    content TEXT NOT NULL,
    search_text TEXT NOT NULL,
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    assigned_on DATE NOT NULL,
    deadline DATE,
    original_deadline DATE,
    expected_output TEXT NOT NULL DEFAULT '',
    completed_on DATE,
    cancelled_on DATE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    percent INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    version INTEGER NOT NULL DEFAULT 1,
    assigned_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Covers the period report: the scan reads the index, not the task texts.
CREATE INDEX tasks_report ON tasks(assigned_on, lead_unit_id, deadline, completed_on, cancelled_on, original_deadline);
CREATE INDEX tasks_lead_unit ON tasks(lead_unit_id, assigned_on);
CREATE INDEX tasks_meeting ON tasks(meeting_id);

CREATE TABLE task_coordinators (
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_coordinators_unit ON task_coordinators(unit_id);

CREATE TABLE progress_reports (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    user_id BIGINT REFERENCES users(id),
    reported_on DATE NOT NULL,
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note TEXT NOT NULL DEFAULT '',
    proposes_completion BOOLEAN NOT NULL DEFAULT FALSE,
    proposed_completed_on DATE,
    review_state TEXT CHECK (review_state IN ('pending', 'confirmed', 'returned')),
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at TIMESTAMP,
    attachment_name TEXT,
    attachment_path TEXT,
    attachment_size BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX progress_reports_task ON progress_reports(task_id, created_at);

CREATE TABLE extension_requests (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    requested_by BIGINT REFERENCES users(id),
    current_deadline DATE,
    new_deadline DATE NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
-- One pending request per task.
CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests(task_id) WHERE state = 'pending';

CREATE TABLE mail_outbox (
    id BIGSERIAL PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);

CREATE TABLE reminders (
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    on_date DATE NOT NULL,
    recipient TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (task_id, kind, on_date, recipient)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    task_id BIGINT,
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_task ON audit_log(task_id, at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
