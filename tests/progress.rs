//! Units at work through the API: reports, proposals and the office's answer,
//! extension requests and their decision; and the mails they queue.

mod common;

use dondoc::domain::progress::{Decision, Review};
use dondoc::domain::Role;
use serde_json::{json, Value};

async fn post(app: &common::TestApp, path: &str, role: Role, body: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.tokens[&role])
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn task(app: &common::TestApp, lead: &str, coordinators: &[&str]) -> i64 {
    let (status, body) = post(app, "/api/v1/tasks", Role::Official, json!({"content": "Xây dựng kế hoạch tuyên truyền", "lead_unit": lead, "coordinators": coordinators, "assigned_on": "2022-07-07", "deadline": "2022-12-31"})).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("id")
}

fn outbox(app: &common::TestApp, prefix: &str) -> Vec<String> {
    let mut conn = app.db.conn().expect("conn");
    use diesel::prelude::*;
    use dondoc::storage::schema::mail_outbox;
    let pattern = format!("{prefix}%");
    dondoc::storage::with_conn!(&mut *conn, c => mail_outbox::table.filter(mail_outbox::dedup_key.like(&pattern)).select(mail_outbox::recipient).load::<String>(c)).expect("outbox")
}

/// The states of a task's proposals or requests as the table holds them, newest first.
fn stored_states(app: &common::TestApp, table: &str, task_id: i64) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        state: String,
    }
    let column = if table == "progress_reports" {
        "review_state"
    } else {
        "state"
    };
    let query = format!("SELECT {column} AS state FROM {table} WHERE task_id = {task_id} AND {column} IS NOT NULL ORDER BY id DESC");
    let mut conn = app.db.conn().expect("conn");
    let rows: Vec<Row> =
        dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(&query).load(c))
            .expect("states");
    rows.into_iter().map(|r| r.state).collect()
}

/// How many files the database holds (the test app keeps them there).
fn stored_files(app: &common::TestApp) -> i64 {
    use diesel::prelude::*;
    use dondoc::storage::schema::file_blobs;
    let mut conn = app.db.conn().expect("conn");
    dondoc::storage::with_conn!(&mut *conn, c => file_blobs::table.count().get_result::<i64>(c))
        .expect("files")
}

const PDF: &[u8] = b"%PDF-1.4\n% bao cao\n";

on_both_backends! {
    async fn a_report_refused_after_its_file_was_kept_leaves_no_file(app) {
        let before = stored_files(&app);
        let other = task(&app, "VPTU", &[]).await;
        assert_eq!(app.report_with_file(other, "bao-cao.pdf", PDF).await.0, 403);
        assert_eq!(stored_files(&app), before, "the file of a refused report is removed");
        let own = task(&app, "BTGTU", &[]).await;
        assert_eq!(app.report_with_file(own, "bao-cao.pdf", PDF).await.0, 201);
        assert_eq!(stored_files(&app), before + 1, "a written report keeps its file");
    }

    async fn only_the_units_of_a_task_report_on_it(app) {
        let other = task(&app, "VPTU", &[]).await;
        let (status, _) = post(&app, &format!("/api/v1/tasks/{other}/reports"), Role::Unit, json!({"percent": 50, "note": "x"})).await;
        assert_eq!(status, 403, "a unit cannot report on another unit's task");
        let coordinated = task(&app, "VPTU", &["BTGTU"]).await;
        let (status, body) = post(&app, &format!("/api/v1/tasks/{coordinated}/reports"), Role::Unit, json!({"percent": 30, "note": "Đã phối hợp"})).await;
        assert_eq!(status, 201, "a coordinator may report: {body}");
        let (_, t) = app.get_json(&format!("/api/v1/tasks/{coordinated}")).await;
        assert_eq!(t["percent"], 0, "a coordinator's report leaves the lead's progress");
        let own = task(&app, "BTGTU", &[]).await;
        let (status, body) = post(&app, &format!("/api/v1/tasks/{own}/reports"), Role::Unit, json!({"percent": 150, "note": "x"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("percent")));
        let (status, _) = post(&app, &format!("/api/v1/tasks/{own}/reports"), Role::Unit, json!({"percent": 60, "note": "Đã xong dự thảo"})).await;
        assert_eq!(status, 201);
        let (_, t) = app.get_json(&format!("/api/v1/tasks/{own}")).await;
        assert_eq!(t["percent"], 60);
        for role in [Role::Leader, Role::Official, Role::Admin] {
            let (status, _) = post(&app, &format!("/api/v1/tasks/{own}/reports"), role, json!({"percent": 70})).await;
            assert_eq!(status, 403, "{role} does not report");
        }
    }

    async fn a_completion_dated_before_the_assignment_is_refused_and_nothing_written(app) {
        let own = task(&app, "BTGTU", &[]).await;
        let path = format!("/api/v1/tasks/{own}/reports");
        let (status, body) = post(&app, &path, Role::Unit, json!({"percent": 100, "note": "Xong", "proposes_completion": true, "completed_on": "2022-07-01"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("completed_on")), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("07/07/2022")), "the message names the assignment date: {body}");
        assert!(stored_states(&app, "progress_reports", own).is_empty(), "nothing written");
        let (_, t) = app.get_json(&format!("/api/v1/tasks/{own}")).await;
        assert_eq!(t["percent"], 0);
        let (status, _) = post(&app, &path, Role::Unit, json!({"percent": 100, "note": "Xong", "proposes_completion": true, "completed_on": "2022-07-07"})).await;
        assert_eq!(status, 201, "the day of the assignment is allowed");
    }

    async fn a_proposal_is_returned_then_confirmed_late(app) {
        let id = task(&app, "BTGTU", &[]).await;
        let (status, body) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 90, "note": "Đề nghị xác nhận", "proposes_completion": true, "completed_on": "2023-01-05"})).await;
        assert_eq!(status, 201, "{body}");
        let report = body["id"].as_i64().expect("report id");
        assert_eq!(outbox(&app, &format!("event:proposal:{report}")), [app.email_of(Role::Official)], "the official hears of it");
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 100, "proposes_completion": true})).await;
        assert_eq!(status, 409, "one proposal waits at a time");
        let (status, _) = post(&app, &format!("/api/v1/reports/{report}/return"), Role::Leader, json!({"reason": "x"})).await;
        assert_eq!(status, 403, "a leader changes nothing");
        let (status, body) = post(&app, &format!("/api/v1/reports/{report}/return"), Role::Official, json!({"reason": ""})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
        let (status, _) = post(&app, &format!("/api/v1/reports/{report}/return"), Role::Official, json!({"reason": "Thiếu biên bản"})).await;
        assert_eq!(status, 200);
        assert!(outbox(&app, &format!("event:returned:{report}")).contains(&"btgtu@example.vn".to_string()), "the unit hears of it");
        let (status, _) = post(&app, &format!("/api/v1/reports/{report}/return"), Role::Official, json!({"reason": "lần hai"})).await;
        assert_eq!(status, 409);
        let (status, body) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 100, "proposes_completion": true, "completed_on": "2023-01-10"})).await;
        assert_eq!(status, 201, "{body}");
        let (status, done) = post(&app, &format!("/api/v1/tasks/{id}/complete"), Role::Official, json!({"completed_on": "2023-01-10"})).await;
        assert_eq!(status, 200);
        assert_eq!(done["status"], "done_late");
        let mut conn = app.db.conn().expect("conn");
        let reports = dondoc::storage::progress::reports(&mut conn, id).expect("reports");
        let states: Vec<Option<Review>> = reports.iter().map(|r| r.stored.review_state).collect();
        assert_eq!(states, [Some(Review::Confirmed), Some(Review::Returned)]);
        assert_eq!(stored_states(&app, "progress_reports", id), ["confirmed", "returned"], "stored by the same names as ever");
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 100})).await;
        assert_eq!(status, 409, "no report on a done task");
    }

    async fn extensions_move_the_deadline_only_when_approved(app) {
        let id = task(&app, "BTGTU", &["VPTU"]).await;
        let (status, body) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": "2022-12-01", "reason": "x"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("new_deadline")), "earlier than the deadline");
        let (status, body) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": "2023-03-31", "reason": "Chờ ý kiến của Trung ương"})).await;
        assert_eq!(status, 201, "{body}");
        let first = body["id"].as_i64().expect("id");
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": "2023-04-30", "reason": "x"})).await;
        assert_eq!(status, 409, "one request waits at a time");
        let (status, _) = post(&app, &format!("/api/v1/extensions/{first}/reject"), Role::Official, json!({"reason": ""})).await;
        assert_eq!(status, 422);
        let (status, t) = post(&app, &format!("/api/v1/extensions/{first}/reject"), Role::Official, json!({"reason": "Không có lý do chính đáng"})).await;
        assert_eq!(status, 200);
        assert_eq!((t["deadline"].as_str(), t["original_deadline"].clone()), (Some("2022-12-31"), Value::Null), "a rejection changes nothing");
        let (_, dash) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(dash["totals"]["extended"], 0);
        let (_, body) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": "2023-03-31", "reason": "Lần hai"})).await;
        let second = body["id"].as_i64().expect("id");
        let (status, _) = post(&app, &format!("/api/v1/extensions/{second}/approve"), Role::Unit, json!({})).await;
        assert_eq!(status, 403);
        let (status, t) = post(&app, &format!("/api/v1/extensions/{second}/approve"), Role::Official, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!((t["deadline"].as_str(), t["original_deadline"].as_str()), (Some("2023-03-31"), Some("2022-12-31")));
        let (_, dash) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2023-01-15").await;
        assert_eq!(dash["totals"]["extended"], 1, "the dashboard counts it as extended");
        assert_eq!(dash["totals"]["in_progress"], 1, "not overdue after the move");
        let (status, _) = post(&app, &format!("/api/v1/extensions/{second}/approve"), Role::Official, json!({})).await;
        assert_eq!(status, 409, "already decided");
        assert!(!outbox(&app, &format!("event:approved:{second}")).is_empty());
        let extensions = dondoc::storage::progress::extensions(&mut app.db.conn().expect("conn"), id).expect("extensions");
        let states: Vec<Decision> = extensions.iter().map(|e| e.state).collect();
        assert_eq!(states, [Decision::Approved, Decision::Rejected]);
        assert_eq!(stored_states(&app, "extension_requests", id), ["approved", "rejected"], "stored by the same names as ever");
    }
}
