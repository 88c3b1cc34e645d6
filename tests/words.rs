//! What people read instead of codes: mails name units (code second), the
//! CSV exports' headers are in the reader's language, and the audit log reads
//! "field: old → new" with the person's name, not JSON and addresses.

mod common;

use common::TestApp;
use dondoc::domain::Role;
use serde_json::{json, Value};

async fn post(app: &TestApp, path: &str, role: Role, body: Value) -> (u16, Value) {
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

async fn new_task(app: &TestApp, deadline: &str) -> (i64, i64) {
    let (status, body) = post(app, "/api/v1/tasks", Role::Official, json!({"content": "Tổ chức hội nghị sơ kết", "lead_unit": common::TEST_UNIT, "coordinators": ["VPTU"], "assigned_on": "2022-07-07", "deadline": deadline})).await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_i64().expect("id"),
        body["version"].as_i64().expect("version"),
    )
}

/// The plain-text bodies of the queued mails whose key starts with `prefix`.
fn mails(app: &TestApp, prefix: &str) -> Vec<String> {
    use diesel::prelude::*;
    use dondoc::storage::schema::mail_outbox;
    let mut conn = app.db.conn().expect("conn");
    let pattern = format!("{prefix}%");
    dondoc::storage::with_conn!(&mut *conn, c => mail_outbox::table.filter(mail_outbox::dedup_key.like(&pattern)).select(mail_outbox::body_text).load::<String>(c)).expect("outbox")
}

/// The first line of a CSV download, as cells.
async fn csv_header(web: &common::WebClient, path: &str) -> Vec<String> {
    let (status, body) = web.get(path).await;
    assert_eq!(status, 200, "{path}");
    let body = body.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect()
}

const BTG: &str = "Ban Tuyên giáo Tỉnh ủy (BTGTU)";

on_both_backends! {
    async fn mails_name_units_and_give_the_new_deadline(app) {
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
        let deadline = today + chrono::Duration::days(3);
        let (id, _) = new_task(&app, &deadline.to_string()).await;
        let new_deadline = today + chrono::Duration::days(40);
        let (status, body) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": new_deadline.to_string(), "reason": "Chờ ý kiến các sở"})).await;
        assert_eq!(status, 201, "{body}");
        let extension = body["id"].as_i64().expect("extension");
        let asked = mails(&app, &format!("event:extension:{extension}:"));
        assert!(!asked.is_empty() && asked.iter().all(|m| m.contains(&format!("Đơn vị {BTG} đề nghị gia hạn"))), "{asked:?}");
        let (status, _) = post(&app, &format!("/api/v1/extensions/{extension}/approve"), Role::Official, json!({"note": ""})).await;
        assert_eq!(status, 200);
        let approved = mails(&app, &format!("event:approved:{extension}:"));
        let new_vi = new_deadline.format("%d/%m/%Y").to_string();
        assert!(!approved.is_empty() && approved.iter().all(|m| m.contains(&format!("thời hạn mới là ngày {new_vi}"))), "{approved:?}");

        // The reminder on the new deadline names the lead unit, the code second.
        let config = common::config_for(&app.test_db, &[("DONDOC_BASE_URL", "https://dondoc.example.vn".to_string())]);
        let secret = dondoc::mail::secret_key(&config, &app.db).expect("secret key");
        let mailer = dondoc::mail::Mailer::new(&config, secret).expect("mailer");
        {
            let mut conn = app.db.conn().expect("conn");
            let queued = dondoc::mail::planner::queue(&mailer, &mut conn, new_deadline, new_deadline).expect("queue");
            assert!(queued.mails > 0, "{queued:?}");
        }
        let reminders = mails(&app, "reminder:");
        assert!(!reminders.is_empty(), "reminders were queued");
        for m in &reminders {
            assert!(m.contains(&format!("Đơn vị chủ trì: {BTG}")), "{m}");
            assert!(!m.contains("Đơn vị chủ trì: Ban Tuyên giáo Tỉnh ủy\n"), "the code second: {m}");
        }
    }

    async fn csv_headers_are_in_the_readers_language(app) {
        new_task(&app, "2022-12-31").await;
        let web = app.web_as(Role::Leader).await;
        let query = "period=2022-H2&as_of=2022-12-31";
        let header = csv_header(&web, &format!("/dashboard/export.csv?{query}")).await;
        assert_eq!(header[..5], ["Xếp hạng", "Mã đơn vị", "Đơn vị", "Tổng số", "Hoàn thành đúng hạn"]);
        assert!(header.contains(&"Tỷ lệ hoàn thành (%)".to_string()) && header.contains(&"Quá hạn đến 30 ngày".to_string()), "{header:?}");
        assert_eq!(header.len(), 16);
        let header = csv_header(&web, &format!("/dashboard/tasks.csv?{query}")).await;
        assert_eq!(header[..5], ["Mã số", "Số hiệu", "Nội dung", "Mã đơn vị chủ trì", "Đơn vị chủ trì"]);
        assert_eq!(header.len(), 14);
        assert!(header.iter().all(|h| !h.contains('_')), "no code left: {header:?}");

        let csrf = web.csrf().await;
        web.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/dashboard")]).await;
        let header = csv_header(&web, &format!("/dashboard/export.csv?{query}")).await;
        assert_eq!(header[..4], ["Rank", "Unit code", "Unit", "Total"]);
        let header = csv_header(&web, &format!("/dashboard/tasks.csv?{query}")).await;
        assert_eq!(header[..4], ["ID", "Reference", "Content", "Lead unit code"]);
    }

    async fn the_audit_log_reads_field_old_new_with_names(app) {
        let (id, version) = new_task(&app, "2022-12-31").await;
        let res = app.client.patch(app.url(&format!("/api/v1/tasks/{id}"))).bearer_auth(&app.tokens[&Role::Official])
            .json(&json!({"version": version, "deadline": "2023-01-31", "lead_unit": "TUHN"})).send().await.expect("patch");
        assert_eq!(res.status().as_u16(), 200);
        let admin = app.web_as(Role::Admin).await;
        let (status, html) = admin.get(&format!("/admin/audit?task={id}")).await;
        assert_eq!(status, 200);
        let text = html.replace("&#x2F;", "/");
        assert!(text.contains("<li>Thời hạn: 31/12/2022 → 31/01/2023</li>"), "{text}");
        assert!(text.contains("<li>Đơn vị chủ trì: Ban Tuyên giáo Tỉnh ủy (BTGTU) → Tỉnh ủy Hà Nam (TUHN)</li>"), "{text}");
        assert!(!text.contains("&quot;deadline&quot;") && !text.contains("{&quot;"), "no JSON: {text}");
        assert!(text.contains("Người dùng official"), "the person's name: {text}");
        // The filters' dates are typed dd/mm/yyyy, whatever the browser's language.
        assert!(!html.contains("type=\"date\""), "{html}");
        assert!(html.contains("id=\"f-from\" name=\"from\" type=\"text\" inputmode=\"numeric\""), "{html}");
        let (status, html) = admin.get("/admin/audit?from=01/07/2022&to=31/12/2099").await;
        assert_eq!(status, 200);
        assert!(html.contains("value=\"01&#x2F;07&#x2F;2022\""), "the typed date is kept as dd/mm/yyyy");

        let csrf = admin.csrf().await;
        admin.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/admin/audit")]).await;
        let (_, html) = admin.get(&format!("/admin/audit?task={id}")).await;
        assert!(html.replace("&#x2F;", "/").contains("<li>Deadline: 31/12/2022 → 31/01/2023</li>"), "{html}");
    }
}
