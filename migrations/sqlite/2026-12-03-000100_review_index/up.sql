-- The proposals still in review (pending or returned) are looked up on every page a unit or an
-- office opens (its "waiting" badge); the other reports, most of them, have no review state.
CREATE INDEX progress_reports_review ON progress_reports(review_state, task_id)
    WHERE review_state IS NOT NULL;
