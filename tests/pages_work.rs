//! Units at work on the task page over HTTP: reports with attachments, bad
//! input kept in the form, proposals returned and confirmed, extensions.

mod common;

use common::{csrf_in, TestApp, WebClient};
use dondoc::domain::Role;
use reqwest::multipart::{Form, Part};

async fn new_task(app: &TestApp, lead: &str) -> i64 {
    let body: serde_json::Value = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
        .json(&serde_json::json!({"content": "Tổ chức tọa đàm khoa giáo", "lead_unit": lead, "assigned_on": "2022-07-07", "deadline": "2022-12-31"}))
        .send().await.expect("create").json().await.expect("json");
    body["id"].as_i64().expect("id")
}

async fn send_report(
    web: &WebClient,
    id: i64,
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> (u16, String) {
    let files: Vec<_> = file
        .into_iter()
        .map(|(name, bytes)| ("attachment", name, bytes))
        .collect();
    send_form(
        web,
        &format!("/tasks/{id}/reports?csrf={csrf}"),
        fields,
        files,
    )
    .await
}

/// Posts a report form as the browser does (multipart), with files as (field, name, bytes).
async fn send_form(
    web: &WebClient,
    path: &str,
    fields: &[(&str, &str)],
    files: Vec<(&str, &str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (field, name, bytes) in files {
        form = form.part(
            field.to_string(),
            Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let res = web
        .client
        .post(format!("{}{path}", web.base))
        .multipart(form)
        .send()
        .await
        .expect("report");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

on_both_backends! {
    async fn bad_reports_are_named_and_what_was_typed_is_kept(app) {
        let id = new_task(&app, "BTGTU").await;
        let web = app.web_as(Role::Unit).await;
        let (_, html) = web.get(&format!("/tasks/{id}")).await;
        assert!(html.contains("Báo cáo tiến độ mới"), "a unit of the task sees the form");
        let csrf = csrf_in(&html).expect("csrf");
        let (status, html) = send_report(&web, id, &csrf, &[("percent", "150"), ("note", "Đã xong dự thảo")], None).await;
        assert_eq!(status, 422);
        assert!(html.contains("Tiến độ: “150”") && html.contains("Đã xong dự thảo") && html.contains("value=\"150\""), "{html}");
        let (status, html) = send_report(&web, id, &csrf, &[("percent", "100"), ("proposes_completion", "1"), ("completed_on", "2022-07-01")], None).await;
        assert_eq!(status, 422);
        assert!(html.contains("trước ngày giao"));
        let (status, html) = send_report(&web, id, &csrf, &[("percent", "60"), ("note", "Kèm tệp")], Some(("setup.exe", b"MZ\x90\x00rest".to_vec()))).await;
        assert_eq!(status, 422);
        assert!(html.contains("setup.exe") && html.contains("Kèm tệp"), "{html}");
        let big = vec![b'%'; 50 * 1024 * 1024];
        let (status, html) = send_report(&web, id, &csrf, &[("percent", "60"), ("note", "Tệp lớn")], Some(("scan.pdf", big))).await;
        assert_eq!(status, 422);
        assert!(html.contains("tối đa 10 MB") && html.contains("Tệp lớn"));
        let mut conn = app.db.conn().expect("conn");
        assert!(dondoc::storage::progress::reports(&mut conn, id).expect("reports").is_empty(), "nothing saved");
        drop(conn);
        let (status, _) = send_report(&web, id, &csrf, &[("percent", "60"), ("note", "Đã xong dự thảo")], Some(("bao-cao.pdf", b"%PDF-1.4 bao cao".to_vec()))).await;
        assert_eq!(status, 303);
    }

    async fn a_unit_of_another_task_cannot_report_and_files_are_served_to_readers(app) {
        let id = new_task(&app, "BTGTU").await;
        let other = new_task(&app, "VPTU").await;
        let web = app.web_as(Role::Unit).await;
        let (_, html) = web.get(&format!("/tasks/{other}")).await;
        assert!(!html.contains("Báo cáo tiến độ mới"));
        let csrf = csrf_in(&html).expect("csrf");
        let (status, _) = send_report(&web, other, &csrf, &[("percent", "10")], None).await;
        assert_eq!(status, 403);
        let (status, _) = send_report(&web, id, &csrf, &[("percent", "60"), ("note", "Có tệp")], Some(("Báo cáo.pdf", b"%PDF-1.4 noi dung".to_vec()))).await;
        assert_eq!(status, 303);
        let leader = app.web_as(Role::Leader).await;
        let (_, html) = leader.get(&format!("/tasks/{id}")).await;
        let at = html.find("/attachments/").expect("link");
        let link = &html[at..at + html[at..].find('"').expect("end")];
        let res = leader.client.get(format!("{}{link}", leader.base)).send().await.expect("download");
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").contains("attachment"));
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), b"%PDF-1.4 noi dung");
        let anonymous = WebClient::new(&app);
        let (status, _) = anonymous.get(link).await;
        assert_eq!(status, 303, "only signed-in users");
    }

    async fn a_units_list_puts_overdue_first_and_shows_the_last_report(app) {
        let mk = |content: &'static str, lead: &'static str, coordinators: Vec<&'static str>, deadline: &'static str| serde_json::json!({"content": content, "lead_unit": lead, "coordinators": coordinators, "assigned_on": "2022-07-07", "deadline": deadline});
        for body in [
            mk("Việc còn hạn", "BTGTU", vec![], "2099-12-31"),
            mk("Việc quá hạn", "BTGTU", vec![], "2022-12-31"),
            mk("Việc phối hợp", "VPTU", vec!["BTGTU"], "2099-06-30"),
            mk("Việc của đơn vị khác", "VPTU", vec![], "2022-08-31"),
        ] {
            let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official]).json(&body).send().await.expect("create");
            assert_eq!(res.status().as_u16(), 201);
        }
        let res = app.client.post(app.url("/api/v1/tasks/1/reports")).bearer_auth(&app.tokens[&Role::Unit]).json(&serde_json::json!({"percent": 40, "note": "Đang triển khai"})).send().await.expect("report");
        assert_eq!(res.status().as_u16(), 201);
        let web = app.web_as(Role::Unit).await;
        let (status, html) = web.get("/tasks?mine=1").await;
        assert_eq!(status, 200);
        let pos = |t: &str| html.find(t).unwrap_or(usize::MAX);
        assert!(pos("Việc quá hạn") < pos("Việc phối hợp") && pos("Việc phối hợp") < pos("Việc còn hạn"), "overdue first, then by deadline");
        assert_eq!(pos("Việc của đơn vị khác"), usize::MAX);
        assert!(html.contains("Đang triển khai"), "the last report is shown");
        assert!(html.contains("quá hạn") && html.contains("còn "), "days left or overdue");
    }

    async fn the_units_feed_and_the_undelivered_mails_are_on_their_pages(app) {
        let unit = app.web_as(Role::Unit).await;
        let (status, html) = unit.get("/units").await;
        assert_eq!(status, 200);
        assert!(!html.replace("&#x2F;", "/").contains("/ics/"), "no address before one is made");
        let csrf = csrf_in(&html).expect("csrf");
        let (status, _, html) = unit.post("/units/feed", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 200);
        let html = html.replace("&#x2F;", "/");
        let at = html.find("/ics/").expect("the unit's feed address");
        let path = &html[at..at + html[at..].find('"').expect("end")];
        let res = app.client.get(app.url(path)).send().await.expect("feed");
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap_or_default().starts_with("BEGIN:VCALENDAR"));
        let (_, html) = unit.get("/units").await;
        assert!(!html.replace("&#x2F;", "/").contains(path), "the address is shown once");
        // A new address: the old one stops working.
        let (status, _, _) = unit.post("/units/feed", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 200);
        let res = app.client.get(app.url(path)).send().await.expect("feed");
        assert_eq!(res.status().as_u16(), 404);
        let leader = app.web_as(Role::Leader).await;
        let (_, html) = leader.get("/units").await;
        assert!(!html.replace("&#x2F;", "/").contains("/ics/") && !html.contains("/units/feed"), "a user without a unit has no feed");
        let csrf = leader.csrf().await;
        let (status, _, _) = leader.post("/units/feed", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 404);
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::outbox::enqueue(&mut conn, &dondoc::storage::outbox::NewMail {
                dedup_key: "test:dead".into(), recipient: "x@example.vn".into(), subject: "Thư thử".into(), body_text: "a".into(), body_html: "<p>a</p>".into(),
            }).expect("enqueue");
            use diesel::RunQueryDsl;
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("UPDATE mail_outbox SET state = 'dead', last_error = '550 no such user'").execute(c)).expect("dead");
        }
        let admin = app.web_as(Role::Admin).await;
        let (status, html) = admin.get("/admin/mail").await;
        assert_eq!(status, 200);
        assert!(html.contains("550 no such user") && html.contains("Thư thử"));
        // Every unit here has an address; one without is listed, by name.
        assert!(html.contains("Mọi đơn vị đang hoạt động đều có địa chỉ thư"), "{html}");
        {
            use diesel::RunQueryDsl;
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("UPDATE units SET email = NULL WHERE code = 'VPTU'").execute(c)).expect("no email");
        }
        let (_, html) = admin.get("/admin/mail").await;
        let listed = html.split("units-without-email").nth(1).unwrap_or_default();
        assert!(listed.contains("Văn phòng Tỉnh ủy") && listed.contains("VPTU"), "{html}");
        assert!(!listed.split("</ul>").next().unwrap_or_default().contains("BTGTU"));
        let csrf = csrf_in(&html).expect("csrf");
        let id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::outbox::by_key(&mut conn, "test:dead").expect("mail").id
        };
        let (status, _, _) = admin.post(&format!("/admin/mail/{id}/send"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 303);
        let mut conn = app.db.conn().expect("conn");
        assert_eq!(dondoc::storage::outbox::by_key(&mut conn, "test:dead").expect("mail").state, "pending");
        let (status, _) = unit.get("/admin/mail").await;
        assert_eq!(status, 403);
    }

    async fn a_signed_link_opens_the_report_form_without_a_password(app) {
        let id = new_task(&app, "BTGTU").await;
        let (secret, unit_id) = {
            let mut conn = app.db.conn().expect("conn");
            let secret = dondoc::storage::settings::get(&mut conn, "secret_key").expect("setting").expect("secret");
            (secret, dondoc::storage::units::by_code(&mut conn, "BTGTU").expect("unit").id)
        };
        let soon = chrono::Utc::now() + chrono::Duration::days(3);
        let link_id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::report_links::create(&mut conn, id, unit_id, soon.naive_utc()).expect("link")
        };
        let token = dondoc::mail::link::sign(&secret, link_id, id, unit_id, soon);
        let web = WebClient::new(&app);
        let (status, html) = web.get(&format!("/tasks/{id}/report?t={token}")).await;
        assert_eq!(status, 200, "{html}");
        let csrf = csrf_in(&html).expect("csrf");
        assert!(html.contains("name=\"attachment\"") && html.contains("capture=\"environment\""), "a file or a photo from the camera");
        let link = format!("/tasks/{id}/report?t={token}&csrf={csrf}");
        let (status, html) = send_form(&web, &link, &[("percent", "150"), ("note", "Giữ nguyên")], vec![]).await;
        assert_eq!(status, 422);
        assert!(html.contains("Giữ nguyên"));
        let photo = b"\xff\xd8\xff\xe0\0\x10JFIF\0anh chup".to_vec();
        let both = vec![("attachment", "bien-ban.pdf", b"%PDF-1.4 bien ban".to_vec()), ("photo", "image.jpg", photo.clone())];
        let (status, html) = send_form(&web, &link, &[("percent", "55"), ("note", "Hai tệp")], both).await;
        assert_eq!(status, 422);
        assert!(html.contains("mỗi báo cáo gửi kèm một tệp") && html.contains("Hai tệp"), "{html}");
        let (status, html) = send_form(&web, &link, &[("percent", "55"), ("note", "Báo cáo qua đường dẫn")], vec![("photo", "image.jpg", photo)]).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("link-done"));
        let mut conn = app.db.conn().expect("conn");
        let reports = dondoc::storage::progress::reports(&mut conn, id).expect("reports");
        assert_eq!((reports.len(), reports[0].stored.percent, reports[0].stored.unit.as_str()), (1, 55, "BTGTU"));
        assert_eq!(reports[0].stored.attachment_name.as_deref(), Some("image.jpg"), "the photo is the report's file");
        drop(conn);
        let other = new_task(&app, "BTGTU").await;
        let (status, _) = web.get(&format!("/tasks/{other}/report?t={token}")).await;
        assert_eq!(status, 401, "the link is for one task");
        let expired = dondoc::mail::link::sign(&secret, link_id, id, unit_id, chrono::Utc::now() - chrono::Duration::days(1));
        let (status, html) = web.get(&format!("/tasks/{id}/report?t={expired}")).await;
        assert_eq!(status, 401);
        assert!(html.contains("hết hạn"));
        let tampered = token.replace(&format!(".{unit_id}."), ".999.");
        let (status, _) = web.get(&format!("/tasks/{id}/report?t={tampered}")).await;
        assert_eq!(status, 401);
        // A signature without its stored link does not open the form.
        let unstored = dondoc::mail::link::sign(&secret, link_id + 1000, id, unit_id, soon);
        let (status, _) = web.get(&format!("/tasks/{id}/report?t={unstored}")).await;
        assert_eq!(status, 401, "a link must be stored");
        // Revoked: no longer.
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::report_links::revoke(&mut conn, link_id).expect("revoke");
        }
        let (status, _) = web.get(&format!("/tasks/{id}/report?t={token}")).await;
        assert_eq!(status, 401, "a revoked link");
        // A link of a task that is done, or that the unit no longer takes part in, is no good.
        let (done_link, moved_link) = {
            let mut conn = app.db.conn().expect("conn");
            let a = dondoc::storage::report_links::create(&mut conn, id, unit_id, soon.naive_utc()).expect("link");
            let b = dondoc::storage::report_links::create(&mut conn, other, unit_id, soon.naive_utc()).expect("link");
            (a, b)
        };
        let done_token = dondoc::mail::link::sign(&secret, done_link, id, unit_id, soon);
        let (status, _) = web.get(&format!("/tasks/{id}/report?t={done_token}")).await;
        assert_eq!(status, 200, "a live link works");
        let official = app.web_as(Role::Official).await;
        let csrf = official.csrf().await;
        let (status, _, body) = official.post(&format!("/tasks/{id}/complete"), &[("csrf", csrf.as_str()), ("completed_on", &chrono::Utc::now().date_naive().to_string())]).await;
        assert!(status == 303 || status == 200, "{status} {body}");
        let (status, _) = web.get(&format!("/tasks/{id}/report?t={done_token}")).await;
        assert_eq!(status, 401, "the task is done");
        let moved_token = dondoc::mail::link::sign(&secret, moved_link, other, unit_id, soon);
        let (status, _) = web.get(&format!("/tasks/{other}/report?t={moved_token}")).await;
        assert_eq!(status, 200);
        {
            use diesel::RunQueryDsl;
            let mut conn = app.db.conn().expect("conn");
            let vptu = dondoc::storage::units::by_code(&mut conn, "VPTU").expect("unit").id;
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(format!("UPDATE tasks SET lead_unit_id = {vptu} WHERE id = {other}")).execute(c)).expect("reassign");
        }
        let (status, _) = web.get(&format!("/tasks/{other}/report?t={moved_token}")).await;
        assert_eq!(status, 401, "the unit no longer leads the task");
        assert_eq!(dondoc::mail::link::VALID_DAYS, 14, "reminder links last two weeks at most");
    }
}
