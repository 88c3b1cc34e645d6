//! "Cần xử lý": what waits for each role, in the API and on the home page;
//! the workflow filter; where a task stands on its page.

mod common;

use dondoc::domain::Role;
use serde_json::{json, Value};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

fn in_days(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

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

async fn get(app: &common::TestApp, path: &str, role: Role) -> (u16, Value) {
    let res = app.get(path, role).send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn task(app: &common::TestApp, lead: &str, deadline: &str) -> i64 {
    let (status, body) = post(app, "/api/v1/tasks", Role::Official, json!({"content": "Tổ chức hội nghị sơ kết", "lead_unit": lead, "assigned_on": "2022-07-07", "deadline": deadline})).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("id")
}

fn ids_of(inbox: &Value, kind: &str) -> Vec<i64> {
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == kind)
        .map(|i| i["task_id"].as_i64().expect("task_id"))
        .collect()
}

async fn waiting(app: &common::TestApp, w: &str) -> Vec<i64> {
    let (status, body) = get(app, &format!("/api/v1/tasks?waiting={w}"), Role::Leader).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect()
}

on_both_backends! {
    async fn each_role_sees_what_waits_for_it_until_it_is_decided(app) {
        let late = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let soon = task(&app, common::TEST_UNIT, &in_days(3)).await;
        let later = task(&app, common::TEST_UNIT, &in_days(30)).await;
        let others = task(&app, "VPTU", "2022-11-30").await;
        let (status, body) = post(&app, &format!("/api/v1/tasks/{late}/reports"), Role::Unit, json!({"percent": 100, "note": "Đã tổ chức", "proposes_completion": true, "completed_on": "2023-01-05"})).await;
        assert_eq!(status, 201, "{body}");
        let report = body["id"].as_i64().expect("report");
        let (status, body) = post(&app, &format!("/api/v1/tasks/{soon}/extensions"), Role::Unit, json!({"new_deadline": in_days(40), "reason": "Chờ ý kiến các sở"})).await;
        assert_eq!(status, 201, "{body}");
        let extension = body["id"].as_i64().expect("extension");

        let (status, official) = get(&app, "/api/v1/inbox", Role::Official).await;
        assert_eq!(status, 200, "{official}");
        assert_eq!(official["counts"], json!({"completion_waiting": 1, "extension_waiting": 1, "no_lead": 0}));
        assert_eq!(ids_of(&official, "completion_waiting"), [late]);
        assert_eq!(ids_of(&official, "extension_waiting"), [soon]);
        let item = official["items"].as_array().expect("items").iter().find(|i| i["kind"] == "completion_waiting").expect("item").clone();
        assert_eq!((item["report_id"].as_i64(), item["date"].as_str(), item["unit_name"].as_str()), (Some(report), Some("2023-01-05"), Some("Ban Tuyên giáo Tỉnh ủy")));

        let (_, unit) = get(&app, "/api/v1/inbox", Role::Unit).await;
        assert_eq!(unit["counts"], json!({"returned": 0, "decided": 0, "overdue": 1, "due_soon": 1}), "{unit}");
        assert_eq!(ids_of(&unit, "overdue"), [late]);
        assert_eq!(ids_of(&unit, "due_soon"), [soon]);
        assert!(!ids_of(&unit, "due_soon").contains(&later));
        assert_eq!(unit["items"].as_array().expect("items").iter().find(|i| i["kind"] == "due_soon").expect("soon")["days"], 3);

        let (_, leader) = get(&app, "/api/v1/inbox", Role::Leader).await;
        assert_eq!(leader["counts"], json!({"overdue": 2}));
        let mut overdue = ids_of(&leader, "overdue");
        overdue.sort();
        assert_eq!(overdue, [late, others]);
        let (_, admin) = get(&app, "/api/v1/inbox", Role::Admin).await;
        assert_eq!(admin, json!({"counts": {}, "items": []}));

        assert_eq!(waiting(&app, "completion").await, [late]);
        assert_eq!(waiting(&app, "extension").await, [soon]);
        assert_eq!(waiting(&app, "returned").await, Vec::<i64>::new());
        let (status, body) = get(&app, "/api/v1/tasks?waiting=soon", Role::Leader).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("waiting")));

        // The office returns the proposal and approves the extension.
        let (status, _) = post(&app, &format!("/api/v1/reports/{report}/return"), Role::Official, json!({"reason": "Thiếu biên bản hội nghị"})).await;
        assert_eq!(status, 200);
        let (status, _) = post(&app, &format!("/api/v1/extensions/{extension}/approve"), Role::Official, json!({"note": ""})).await;
        assert_eq!(status, 200);
        let bodies: Vec<String> = {
            use diesel::prelude::*;
            use dondoc::storage::schema::mail_outbox;
            let mut conn = app.db.conn().expect("conn");
            let pattern = format!("event:approved:{extension}:%");
            dondoc::storage::with_conn!(&mut *conn, c => mail_outbox::table.filter(mail_outbox::dedup_key.like(&pattern)).select(mail_outbox::body_text).load::<String>(c)).expect("outbox")
        };
        let new_deadline = (today() + chrono::Duration::days(40)).format("%d/%m/%Y").to_string();
        assert!(!bodies.is_empty() && bodies.iter().all(|b| b.contains(&format!("thời hạn mới là ngày {new_deadline}"))), "the mail gives the new deadline: {bodies:?}");
        let (_, official) = get(&app, "/api/v1/inbox", Role::Official).await;
        assert_eq!(official["counts"], json!({"completion_waiting": 0, "extension_waiting": 0, "no_lead": 0}));
        let (_, unit) = get(&app, "/api/v1/inbox", Role::Unit).await;
        assert_eq!(unit["counts"], json!({"returned": 1, "decided": 1, "overdue": 1, "due_soon": 0}), "{unit}");
        let returned = unit["items"].as_array().expect("items").iter().find(|i| i["kind"] == "returned").expect("returned").clone();
        assert_eq!((returned["task_id"].as_i64(), returned["note"].as_str()), (Some(late), Some("Thiếu biên bản hội nghị")));
        let decided = unit["items"].as_array().expect("items").iter().find(|i| i["kind"] == "decided").expect("decided").clone();
        assert_eq!((decided["task_id"].as_i64(), decided["decision"].as_str()), (Some(soon), Some("approved")));
        assert_eq!(waiting(&app, "returned").await, [late]);
        assert_eq!(waiting(&app, "completion").await, Vec::<i64>::new());

        // A new proposal takes the task out of "returned".
        let (status, _) = post(&app, &format!("/api/v1/tasks/{late}/reports"), Role::Unit, json!({"percent": 100, "proposes_completion": true})).await;
        assert_eq!(status, 201);
        assert_eq!(waiting(&app, "returned").await, Vec::<i64>::new());
        assert_eq!(waiting(&app, "completion").await, [late]);
    }

    async fn confirming_a_waiting_completion_takes_two_clicks_from_sign_in(app) {
        let id = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 100, "note": "Xong", "proposes_completion": true, "completed_on": "2022-12-20"})).await;
        assert_eq!(status, 201);
        let web = common::WebClient::new(&app);
        let csrf = web.csrf().await;
        let (status, location, _) = web.post("/login", &[("csrf", &csrf), ("email", &app.email_of(Role::Official)), ("password", common::PASSWORD)]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/")));
        let (status, location, _) = web.location(reqwest::Method::GET, "/", &[]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/inbox")), "the home page is the inbox");
        let (status, html) = web.get("/inbox").await;
        assert_eq!(status, 200);
        let csrf = common::csrf_in(&html).expect("csrf");
        assert!(html.contains("class=\"nav-badge\">1<"), "the navigation counts what waits: {html}");
        // What happened, and the mail the proposal sent, readable in the app.
        assert!(html.contains("Đề nghị xác nhận hoàn thành</li>") || html.contains("Đề nghị xác nhận hoàn thành ·"), "{html}");
        let at = html.find("href=\"/inbox/mail/").expect("a mail in the list");
        let rest = &html[at + "href=\"".len()..];
        let mail_path = rest[..rest.find('"').expect("end")].to_string();
        let (status, mail) = web.get(&mail_path).await;
        assert_eq!(status, 200);
        assert!(mail.contains("Đề nghị xác nhận hoàn thành") || mail.contains("đề nghị"), "{mail}");
        let unit = app.web_as(Role::Unit).await;
        assert_eq!(unit.get(&mail_path).await.0, 404, "another's mail is not shown");
        let action = format!("action=\"/tasks/{id}/complete?next=/inbox\"");
        assert!(html.contains(&action), "{html}");
        assert!(html.contains("name=\"completed_on\" value=\"20/12/2022\""), "{html}");
        // The task page says where it stands and holds one confirmation form.
        let (_, page) = web.get(&format!("/tasks/{id}")).await;
        assert!(page.contains("Chờ văn phòng xác nhận hoàn thành (đề nghị "), "{page}");
        assert_eq!(page.matches(&format!("action=\"/tasks/{id}/complete\"")).count(), 1, "{page}");
        assert!(page.contains("id=\"decide\""));
        assert!(page.contains("Ban Tuyên giáo Tỉnh ủy <span class=\"code\">(BTGTU)</span>"), "names, not codes: {page}");
        // The click: confirmed, back on the inbox, nothing waits.
        let (status, location, body) = web.post(&format!("/tasks/{id}/complete?next=/inbox"), &[("csrf", &csrf), ("completed_on", "20/12/2022")]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/inbox")), "{body}");
        let (_, t) = app.get_json(&format!("/api/v1/tasks/{id}")).await;
        assert_eq!((t["state"].as_str(), t["completed_on"].as_str()), (Some("done"), Some("2022-12-20")));
        let (_, html) = web.get("/inbox").await;
        assert!(!html.contains("class=\"nav-badge\""), "{html}");
        // The history reads "field: old → new", with people's names.
        let (status, body) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "Rà soát", "lead_unit": "BTGTU", "assigned_on": "2022-07-07", "deadline": "2022-12-31"})).await;
        assert_eq!(status, 201);
        let other = body["id"].as_i64().expect("id");
        let version = body["version"].as_i64().expect("version");
        let res = app.client.patch(app.url(&format!("/api/v1/tasks/{other}"))).bearer_auth(&app.tokens[&Role::Official]).json(&json!({"version": version, "deadline": "2023-01-31"})).send().await.expect("patch");
        assert_eq!(res.status().as_u16(), 200);
        let (_, page) = web.get(&format!("/tasks/{other}")).await;
        assert!(page.contains("Thời hạn: 31&#x2F;12&#x2F;2022 → 31&#x2F;01&#x2F;2023"), "{page}");
        assert!(page.contains("Người dùng official"), "{page}");
    }

    async fn a_unit_starts_on_its_own_open_work(app) {
        let open = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let done = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let (status, _) = post(&app, &format!("/api/v1/tasks/{done}/complete"), Role::Official, json!({"completed_on": "2022-12-01"})).await;
        assert_eq!(status, 200);
        let (status, _) = post(&app, &format!("/api/v1/tasks/{open}/reports"), Role::Unit, json!({"percent": 100, "proposes_completion": true})).await;
        assert_eq!(status, 201);
        let web = app.web_as(Role::Unit).await;
        let (_, html) = web.get("/tasks?mine=1").await;
        // Tera escapes the slash of the navigation's links.
        assert!(html.contains("href=\"&#x2F;tasks?mine=1\" aria-current=\"page\""), "{html}");
        assert!(!html.contains("href=\"&#x2F;tasks\" aria-current=\"page\""), "{html}");
        assert!(html.contains(&format!("href=\"/tasks/{open}\"")));
        assert!(!html.contains(&format!("href=\"/tasks/{done}\"")), "finished tasks wait behind the toggle");
        let (_, html) = web.get("/tasks?mine=1&done=1").await;
        assert!(html.contains(&format!("href=\"/tasks/{done}\"")));
        // While the proposal waits, the unit may report but not propose again.
        let (_, page) = web.get(&format!("/tasks/{open}")).await;
        assert!(page.contains("id=\"report\""), "{page}");
        assert!(!page.contains("name=\"proposes_completion\""), "{page}");
        assert!(page.contains("Chờ văn phòng xác nhận hoàn thành"));
        assert!(!page.contains("id=\"decide\""), "a unit decides nothing");
    }

    async fn the_report_link_of_a_reminder_takes_an_attachment(app) {
        let id = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let (secret, unit_id) = {
            let mut conn = app.db.conn().expect("conn");
            let secret = dondoc::storage::settings::get(&mut conn, "secret_key").expect("setting").expect("secret");
            (secret, dondoc::storage::units::by_code(&mut conn, common::TEST_UNIT).expect("unit").id)
        };
        let expires = chrono::Utc::now() + chrono::Duration::days(3);
        let link_id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::report_links::create(&mut conn, id, unit_id, expires.naive_utc()).expect("stored link")
        };
        let token = dondoc::mail::link::sign(&secret, link_id, id, unit_id, expires);
        let web = common::WebClient::new(&app);
        let (status, html) = web.get(&format!("/tasks/{id}/report?t={token}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("name=\"attachment\" type=\"file\""), "{html}");
        let csrf = common::csrf_in(&html).expect("csrf");
        let form = reqwest::multipart::Form::new()
            .text("percent", "70")
            .text("note", "Kèm biên bản")
            .part("attachment", reqwest::multipart::Part::bytes(b"%PDF-1.4 bien ban".to_vec()).file_name("bien-ban.pdf").mime_str("application/pdf").expect("mime"));
        let res = web.client.post(format!("{}/tasks/{id}/report?t={token}&csrf={csrf}", app.base)).multipart(form).send().await.expect("post");
        let status = res.status().as_u16();
        let html = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("link-done"), "{html}");
        let mut conn = app.db.conn().expect("conn");
        let reports = dondoc::storage::progress::reports(&mut conn, id).expect("reports");
        assert_eq!((reports[0].stored.percent, reports[0].stored.attachment_name.as_deref()), (70, Some("bien-ban.pdf")));
        drop(conn);
        // A file of a kind not taken is named, and what was typed is kept.
        let form = reqwest::multipart::Form::new()
            .text("percent", "80")
            .text("note", "Tệp lạ")
            .part("attachment", reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec()).file_name("virus.exe"));
        let res = web.client.post(format!("{}/tasks/{id}/report?t={token}&csrf={csrf}", app.base)).multipart(form).send().await.expect("post");
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.unwrap_or_default();
        assert!(html.contains("Tệp lạ") && html.contains("e-attachment"), "{html}");
    }

    async fn the_badge_counts_without_reading_a_single_entry(app) {
        use diesel::connection::{Connection, InstrumentationEvent};
        use std::sync::{Arc, Mutex};
        let late = task(&app, common::TEST_UNIT, "2022-12-31").await;
        task(&app, common::TEST_UNIT, &in_days(2)).await;
        task(&app, "VPTU", "2022-11-30").await;
        let (status, _) = post(&app, &format!("/api/v1/tasks/{late}/reports"), Role::Unit, json!({"percent": 100, "proposes_completion": true})).await;
        assert_eq!(status, 201);
        let mut conn = app.db.conn().expect("conn");
        let today = today();
        // A leader's overdue tasks are counted from the report's rows, which
        // the process keeps: read here once, as any dashboard would have.
        dondoc::storage::report::snapshot::current(&mut conn).expect("the report's rows");
        for (role, expected) in [(Role::Official, 1), (Role::Unit, 2), (Role::Leader, 2), (Role::Admin, 0)] {
            let account = dondoc::storage::users::by_email(&mut conn, &app.email_of(role)).expect("account");
            let listed = dondoc::storage::inbox::inbox(&mut conn, &account, today).expect("inbox");
            let seen: Arc<Mutex<Vec<String>>> = Arc::default();
            let log = seen.clone();
            (*conn).set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { query, .. } = event {
                    log.lock().expect("log").push(query.to_string());
                }
            });
            let counted = dondoc::storage::inbox::waiting_count(&mut conn, &account, today).expect("count");
            (*conn).set_instrumentation(|_: InstrumentationEvent<'_>| {});
            assert_eq!((counted, listed.waiting()), (expected, expected), "{role:?}: the badge and the page agree");
            let queries = seen.lock().expect("log").clone();
            // Every kind is counted from the report's rows the process keeps
            // (a leader's from a count kept for the version), a unit's own
            // tasks from its coordinated ids, and where tasks stand from the
            // ids and states of their proposals and requests: no entry's row
            // is read, neither its task nor what the proposal or request says.
            let names = |q: &str, name: &str| q.contains(&format!("\"{name}\"")) || q.contains(&format!("`{name}`"));
            for q in &queries {
                for read in ["tasks", "content", "reference", "note", "reason", "review_note", "decision_note"] {
                    assert!(!names(q, read), "{role:?}: the badge reads no entry ({read}): {q}");
                }
            }
            let reads = |table: &str| queries.iter().any(|q| names(q, table));
            assert_eq!(reads("task_coordinators"), role == Role::Unit, "{role:?}: {queries:?}");
            assert_eq!(reads("progress_reports"), matches!(role, Role::Official | Role::Unit), "{role:?}: {queries:?}");
            if role == Role::Leader {
                assert!(!reads("extension_requests") && !reads("progress_reports"), "{role:?}: {queries:?}");
            }
        }
    }

    async fn a_leaders_badge_follows_every_change(app) {
        let web = app.web_as(Role::Leader).await;
        let badge = |html: &str| html.split("class=\"nav-badge\">").nth(1).and_then(|t| t.split('<').next()).map(str::to_string);
        let (_, html) = web.get("/dashboard").await;
        assert_eq!(badge(&html), None, "nothing overdue yet: {html}");
        let first = task(&app, common::TEST_UNIT, "2022-11-30").await;
        let (_, html) = web.get("/dashboard").await;
        assert_eq!(badge(&html).as_deref(), Some("1"), "{html}");
        task(&app, "VPTU", "2022-12-31").await;
        task(&app, "VPTU", &in_days(2)).await;
        let (_, html) = web.get("/tasks").await;
        assert_eq!(badge(&html).as_deref(), Some("2"), "a task due soon is not overdue: {html}");
        let done = today().format("%Y-%m-%d").to_string();
        let (status, _) = post(&app, &format!("/api/v1/tasks/{first}/complete"), Role::Official, json!({"completed_on": done})).await;
        assert_eq!(status, 200);
        let (_, html) = web.get("/dashboard").await;
        assert_eq!(badge(&html).as_deref(), Some("1"), "a completed task waits no more: {html}");
    }

    async fn the_feed_marks_what_is_newer_than_the_previous_visit(app) {
        let id = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let web = app.web_as(Role::Unit).await;
        let (status, html) = web.get("/inbox").await;
        assert_eq!(status, 200);
        assert!(html.contains("Lần đầu anh&#x2F;chị mở trang này"), "{html}");
        assert!(html.contains("class=\"is-new\""), "on a first visit everything is news: {html}");
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 40, "note": "Đang chuẩn bị"})).await;
        assert_eq!(status, 201);
        let (_, html) = web.get("/inbox").await;
        assert!(html.contains("những việc sau lần xem trước"), "{html}");
        let feed = &html[html.find("id=\"feed\"").expect("feed")..];
        let feed = &feed[..feed.find("</section>").expect("end of feed")];
        let lines: Vec<&str> = feed.split("<li").skip(1).collect();
        let report = lines.iter().find(|l| l.contains("Báo cáo tiến độ")).expect("the report in the feed");
        let created = lines.iter().find(|l| l.contains("Giao nhiệm vụ")).expect("the new task in the feed");
        assert!(report.starts_with(" class=\"is-new\""), "{report}");
        assert!(!created.contains("is-new"), "seen at the previous visit: {created}");
        // Another visit: nothing happened since.
        let (_, html) = web.get("/inbox").await;
        let feed = &html[html.find("id=\"feed\"").expect("feed")..];
        assert!(!feed[..feed.find("</section>").expect("end")].contains("is-new"), "{html}");
    }

    async fn a_scoped_leader_is_told_only_of_the_tasks_in_scope(app) {
        let mine = task(&app, common::TEST_UNIT, "2022-12-31").await;
        let other = task(&app, "VPTU", "2022-11-30").await;
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::users::set_user_scope(&mut conn, &app.email_of(Role::Leader), Some(common::TEST_UNIT), None).expect("scope");
        }
        let (_, leader) = get(&app, "/api/v1/inbox", Role::Leader).await;
        assert_eq!(leader["counts"], json!({"overdue": 1}), "{leader}");
        assert_eq!(ids_of(&leader, "overdue"), [mine]);
        let web = app.web_as(Role::Leader).await;
        let (_, html) = web.get("/inbox").await;
        assert!(html.contains("class=\"nav-badge\">1<"), "the badge counts the scope only: {html}");
        assert!(html.contains(&format!("href=\"/tasks/{mine}\"")) && !html.contains(&format!("href=\"/tasks/{other}\"")), "nor does the feed tell of the others: {html}");
    }

    async fn the_latest_proposal_decides_on_the_page_in_the_inbox_and_in_the_filter(app) {
        use diesel::prelude::*;
        use dondoc::domain::inbox::Stage;
        use dondoc::domain::progress::{Decision, Review};
        use dondoc::storage::schema::{extension_requests, progress_reports};
        use Review::{Confirmed, Pending, Returned};
        // Each task's proposals and extension requests in the order they were sent (one
        // request at most waits at a time, as the database holds).
        let scenario: [(&[Review], &[Decision]); 7] = [
            (&[Returned, Pending], &[]),
            (&[Confirmed, Returned], &[]),
            (&[Returned, Confirmed], &[]),
            (&[Pending, Confirmed], &[Decision::Pending]),
            (&[Pending, Returned], &[Decision::Rejected, Decision::Pending, Decision::Approved]),
            (&[Returned, Returned, Pending, Returned], &[Decision::Approved]),
            (&[], &[Decision::Rejected]),
        ];
        let mut ids = Vec::new();
        for _ in scenario {
            ids.push(task(&app, common::TEST_UNIT, "2099-12-31").await);
        }
        let mut conn = app.db.conn().expect("conn");
        let unit = dondoc::storage::units::unit_ids_by_code(&mut conn).expect("units")[common::TEST_UNIT];
        let at = chrono::Utc::now().naive_utc();
        // Rows written as they stand, confirmed proposals on open tasks included,
        // to reach every order the rule must tell apart; the last task's first,
        // so that row ids do not follow task ids.
        for (id, (reviews, requests)) in ids.iter().copied().zip(scenario).rev() {
            for review in reviews {
                dondoc::storage::with_conn!(&mut *conn, c => diesel::insert_into(progress_reports::table).values((
                    progress_reports::task_id.eq(id), progress_reports::unit_id.eq(unit), progress_reports::reported_on.eq(today()),
                    progress_reports::percent.eq(100), progress_reports::note.eq("Đã xong"), progress_reports::proposes_completion.eq(true),
                    progress_reports::review_state.eq(Some(*review)), progress_reports::review_note.eq("Thiếu biên bản"), progress_reports::created_at.eq(at),
                )).execute(c)).expect("proposal");
            }
            for state in requests {
                dondoc::storage::with_conn!(&mut *conn, c => diesel::insert_into(extension_requests::table).values((
                    extension_requests::task_id.eq(id), extension_requests::unit_id.eq(unit), extension_requests::new_deadline.eq(today()),
                    extension_requests::reason.eq("Chờ ý kiến"), extension_requests::state.eq(*state), extension_requests::decision_note.eq(""),
                    extension_requests::decided_at.eq((*state != Decision::Pending).then_some(at)), extension_requests::created_at.eq(at),
                )).execute(c)).expect("request");
            }
        }
        // What the task page shows, per stage.
        let mut on_page: [Vec<i64>; 3] = Default::default();
        for id in &ids {
            for stage in dondoc::storage::inbox::stages(&mut conn, *id, true).expect("stages") {
                let i = match stage { Stage::CompletionWaiting { .. } => 0, Stage::ExtensionWaiting { .. } => 1, Stage::Returned { .. } => 2 };
                on_page[i].push(*id);
            }
        }
        drop(conn);
        assert_eq!(on_page, [vec![ids[0]], vec![ids[3], ids[4]], vec![ids[1], ids[4], ids[5]]], "the latest proposal decides");
        let (_, official) = get(&app, "/api/v1/inbox", Role::Official).await;
        let (_, unit) = get(&app, "/api/v1/inbox", Role::Unit).await;
        let sorted = |mut v: Vec<i64>| { v.sort(); v };
        let in_inbox = [
            sorted(ids_of(&official, "completion_waiting")),
            sorted(ids_of(&official, "extension_waiting")),
            sorted(ids_of(&unit, "returned")),
        ];
        assert_eq!(in_inbox, on_page, "{official} {unit}");
        assert_eq!((official["counts"]["completion_waiting"].as_i64(), official["counts"]["extension_waiting"].as_i64(), unit["counts"]["returned"].as_i64()), (Some(1), Some(2), Some(3)));
        let filtered = [
            sorted(waiting(&app, "completion").await),
            sorted(waiting(&app, "extension").await),
            sorted(waiting(&app, "returned").await),
        ];
        assert_eq!(filtered, on_page);
        // The entry names the proposal the task stands on: the latest.
        let waiting_on = official["items"].as_array().expect("items").iter().find(|i| i["kind"] == "completion_waiting").expect("entry")["report_id"].as_i64();
        let latest: Option<i64> = {
            let mut conn = app.db.conn().expect("conn");
            progress_reports::table.filter(progress_reports::task_id.eq(ids[0])).select(diesel::dsl::max(progress_reports::id)).first(&mut *conn).expect("latest")
        };
        assert_eq!(waiting_on, latest);
    }
}
