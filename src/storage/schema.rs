//! The tables, written for both backends (the migrations in `migrations/sqlite`
//! and `migrations/postgres` create the same columns).

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    /// The version of the report's data: see `storage::report::snapshot`.
    report_state (id) {
        id -> Integer,
        token -> Text,
        version -> BigInt,
        deletions -> BigInt,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        email -> Nullable<Text>,
        head_email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    unit_aliases (unit_id, alias) {
        unit_id -> BigInt,
        alias -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        unit_id -> Nullable<BigInt>,
        password_hash -> Text,
        language -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        scope_unit_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    meetings (id) {
        id -> BigInt,
        title -> Text,
        held_on -> Date,
        chair -> Text,
        organiser_unit_id -> Nullable<BigInt>,
        document_ref -> Text,
        conclusion_text -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        confidential -> Bool,
    }
}

diesel::table! {
    tasks (id) {
        id -> BigInt,
        reference -> Text,
        meeting_id -> Nullable<BigInt>,
        content -> Text,
        search_text -> Text,
        lead_unit_id -> Nullable<BigInt>,
        assigned_on -> Date,
        deadline -> Nullable<Date>,
        original_deadline -> Nullable<Date>,
        expected_output -> Text,
        completed_on -> Nullable<Date>,
        cancelled_on -> Nullable<Date>,
        cancel_reason -> Text,
        percent -> Integer,
        version -> Integer,
        assigned_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        confidential -> Bool,
    }
}

diesel::table! {
    task_coordinators (task_id, unit_id) {
        task_id -> BigInt,
        unit_id -> BigInt,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> BigInt,
        task_id -> BigInt,
        unit_id -> BigInt,
        user_id -> Nullable<BigInt>,
        reported_on -> Date,
        percent -> Integer,
        note -> Text,
        proposes_completion -> Bool,
        proposed_completed_on -> Nullable<Date>,
        review_state -> Nullable<Text>,
        review_note -> Text,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        attachment_name -> Nullable<Text>,
        attachment_path -> Nullable<Text>,
        attachment_size -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    extension_requests (id) {
        id -> BigInt,
        task_id -> BigInt,
        unit_id -> BigInt,
        requested_by -> Nullable<BigInt>,
        current_deadline -> Nullable<Date>,
        new_deadline -> Date,
        reason -> Text,
        state -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        dedup_key -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminders (task_id, kind, on_date, recipient) {
        task_id -> BigInt,
        kind -> Text,
        on_date -> Date,
        recipient -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (unit_id) {
        unit_id -> BigInt,
        secret_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        task_id -> Nullable<BigInt>,
        details -> Text,
    }
}

diesel::table! {
    period_closes (id) {
        id -> BigInt,
        period_from -> Date,
        period_to -> Date,
        as_of -> Date,
        note -> Text,
        closed_by -> Nullable<BigInt>,
        closed_at -> Timestamp,
    }
}

diesel::table! {
    period_close_counts (close_id, unit_id) {
        close_id -> BigInt,
        unit_id -> BigInt,
        unit_code -> Text,
        unit_name -> Text,
        total -> BigInt,
        done_on_time -> BigInt,
        done_late -> BigInt,
        in_progress -> BigInt,
        overdue -> BigInt,
        carried_over -> BigInt,
        extended -> BigInt,
        overdue_upto_30 -> BigInt,
        overdue_upto_60 -> BigInt,
        overdue_upto_120 -> BigInt,
        overdue_over_120 -> BigInt,
    }
}

diesel::table! {
    meeting_documents (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        file_name -> Text,
        file_path -> Text,
        file_size -> BigInt,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    holidays (day) {
        day -> Date,
        working -> Bool,
        note -> Text,
    }
}

diesel::joinable!(unit_aliases -> units (unit_id));
diesel::joinable!(users -> units (unit_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(audit_log -> users (user_id));
diesel::joinable!(tasks -> units (lead_unit_id));
diesel::joinable!(tasks -> meetings (meeting_id));
diesel::joinable!(meetings -> units (organiser_unit_id));
diesel::joinable!(task_coordinators -> tasks (task_id));
diesel::joinable!(task_coordinators -> units (unit_id));
diesel::joinable!(progress_reports -> tasks (task_id));
diesel::joinable!(extension_requests -> tasks (task_id));
diesel::joinable!(calendar_feeds -> units (unit_id));
diesel::joinable!(period_closes -> users (closed_by));
diesel::joinable!(period_close_counts -> period_closes (close_id));
diesel::joinable!(meeting_documents -> meetings (meeting_id));

diesel::table! {
    sessions (id) {
        id -> BigInt,
        key_hash -> Text,
        state -> Text,
        user_id -> Nullable<BigInt>,
        public_id -> Text,
        user_agent -> Text,
        address -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_buckets (key) {
        key -> Text,
        level -> Double,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_links (id) {
        id -> BigInt,
        task_id -> BigInt,
        unit_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    inbox_visits (user_id) {
        user_id -> BigInt,
        seen_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(inbox_visits -> users (user_id));
diesel::joinable!(report_links -> tasks (task_id));

diesel::table! {
    file_blobs (id) {
        id -> BigInt,
        size -> BigInt,
        pending -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    file_blob_chunks (blob_id, seq) {
        blob_id -> BigInt,
        seq -> Integer,
        bytes -> Binary,
    }
}

diesel::joinable!(file_blob_chunks -> file_blobs (blob_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    inbox_visits,
    units,
    unit_aliases,
    users,
    api_tokens,
    meetings,
    tasks,
    task_coordinators,
    progress_reports,
    extension_requests,
    mail_outbox,
    reminders,
    calendar_feeds,
    audit_log,
    period_closes,
    period_close_counts,
    sessions,
    login_buckets,
    report_links,
    meeting_documents,
    holidays,
    file_blobs,
    file_blob_chunks,
);
