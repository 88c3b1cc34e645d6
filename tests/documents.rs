//! Conclusion documents over HTTP (the parse API and the new-meeting page take
//! a .docx, a PDF with a text layer, .txt or .html; the signed document is kept
//! with the meeting), and tasks that wait for their lead unit, on both backends.

mod common;

use common::{csrf_in, TestApp};
use dondoc::domain::Role;
use serde_json::{json, Value};

const PDF: &[u8] = include_bytes!("fixtures/documents/ket-luan.pdf");

/// A .docx with a Word numbered list (the numbers are not in the text).
fn docx(lines: &[&str]) -> Vec<u8> {
    use docx_rs::{
        AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
        NumberingId, Paragraph, Run, Start,
    };
    let mut doc = Docx::new()
        .add_abstract_numbering(AbstractNumbering::new(10).add_level(Level::new(
            0,
            Start::new(1),
            NumberFormat::new("decimal"),
            LevelText::new("%1."),
            LevelJc::new("left"),
        )))
        .add_numbering(Numbering::new(11, 10))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Kết luận như sau:")));
    for l in lines {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(*l))
                .numbering(NumberingId::new(11), IndentLevel::new(0)),
        );
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).expect("docx");
    buf.into_inner()
}

/// A one-page PDF that draws nothing: what a scanner's image-only page reads as.
fn scanned_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

async fn parse_upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("meeting_date", "2022-08-15")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let res = app
        .client
        .post(app.url("/api/v1/conclusions/parse"))
        .bearer_auth(&app.tokens[&Role::Official])
        .multipart(form)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.tokens[&Role::Official])
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn item_with<'a>(body: &'a Value, words: &str) -> &'a Value {
    body["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["text"].as_str().unwrap_or("").contains(words))
        })
        .unwrap_or_else(|| panic!("no item with {words}: {body}"))
}

on_both_backends! {
    async fn the_parse_api_reads_documents_and_says_why_it_cannot(app) {
        let (status, body) = parse_upload(&app, "tb.docx", docx(&[
            "Văn phòng Tỉnh ủy chủ trì tổng hợp báo cáo, hoàn thành trước ngày 30/9/2022.",
            "Các huyện ủy, thành ủy tổ chức tập huấn trước ngày 15/12/2022.",
        ])).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["text"].as_str().unwrap_or("").contains("1. Văn phòng Tỉnh ủy"), "{body}");
        let first = item_with(&body, "tổng hợp báo cáo");
        assert_eq!((first["lead_unit"].as_str(), first["deadline"].as_str()), (Some("VPTU"), Some("2022-09-30")));
        let group = item_with(&body, "tập huấn");
        assert_eq!(group["lead_unit"], Value::Null);
        assert!(group["flags"].as_array().is_some_and(|f| f.contains(&json!("no_lead"))), "{group}");

        let (status, body) = parse_upload(&app, "ket-luan.pdf", PDF.to_vec()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(item_with(&body, "Văn phòng Tỉnh ủy chủ trì")["deadline"], "2022-09-30");

        let (status, body) = parse_upload(&app, "scan.pdf", scanned_pdf()).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("file")), "{body}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.starts_with("Tệp kết luận:") && message.contains("dán nội dung"), "a scan: paste the text instead, naming the field: {body}");
        let (status, body) = parse_upload(&app, "ket-luan.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec()).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("file")), "{body}");
        let (status, body) = parse_upload(&app, "lon.txt", vec![b'a'; 10 * 1024 * 1024 + 1]).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["message"].as_str().unwrap_or("").contains("10 MB"), "{body}");

        // Pasted HTML is stripped; JSON keeps working.
        let (status, body) = send_json(&app, reqwest::Method::POST, "/api/v1/conclusions/parse", json!({
            "text": "<div><p>Kết luận như sau:</p><ol><li>Văn phòng Tỉnh ủy <b>chủ trì</b> rà soát quy chế trước ngày 31/10/2022.</li></ol></div>",
            "meeting_date": "2022-08-15",
        })).await;
        assert_eq!(status, 200, "{body}");
        let item = item_with(&body, "rà soát quy chế");
        assert!(!item["text"].as_str().unwrap_or("<").contains('<'), "{item}");
        assert_eq!(item["lead_unit"], "VPTU");
    }

    async fn a_task_without_a_lead_is_counted_read_and_given_one_later(app) {
        let (status, task) = send_json(&app, reqwest::Method::POST, "/api/v1/tasks", json!({
            "content": "Các sở, ngành rà soát thủ tục hành chính",
            "assigned_on": "2022-07-07", "deadline": "2022-09-30", "coordinators": ["VPTU"],
        })).await;
        assert_eq!(status, 201, "{task}");
        assert_eq!(task["lead_unit"], Value::Null);
        let id = task["id"].as_i64().expect("id");
        let (_, led) = send_json(&app, reqwest::Method::POST, "/api/v1/tasks", json!({
            "content": "Tổ chức hội nghị", "lead_unit": "BTGTU", "assigned_on": "2022-07-07", "deadline": "2022-09-30",
        })).await;
        assert_eq!(led["lead_unit"], "BTGTU");

        // In the totals, in no unit row.
        let (_, report) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-10-01").await;
        assert_eq!(report["totals"]["total"], 2, "{report}");
        assert_eq!(report["totals"]["overdue"], 2);
        let in_units: u64 = report["units"].as_array().expect("units").iter().map(|u| u["total"].as_u64().unwrap_or(0)).sum();
        assert_eq!(in_units, 1, "{report}");

        // Reminders skip it until it has a lead.
        let on = chrono::NaiveDate::from_ymd_opt(2022, 9, 29).expect("date");
        let waiting = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::reminders::snapshot(&mut conn, on).expect("snapshot")
        };
        let ids: Vec<i64> = waiting.tasks.iter().map(|t| t.id).collect();
        assert!(!ids.contains(&id) && ids.contains(&led["id"].as_i64().expect("id")), "{ids:?}");

        // Lists and pages say "chưa giao".
        let web = app.web_as(Role::Official).await;
        let (_, html) = web.get("/tasks").await;
        assert!(html.contains("chưa giao"), "{html}");
        let (_, html) = web.get(&format!("/tasks/{id}")).await;
        assert!(html.contains("chưa giao"));

        // An official picks the lead later: it no longer coordinates, and it is reminded.
        let (status, changed) = send_json(&app, reqwest::Method::PATCH, &format!("/api/v1/tasks/{id}"), json!({"version": 1, "lead_unit": "VPTU"})).await;
        assert_eq!(status, 422, "the lead is a coordinator: {changed}");
        let (status, changed) = send_json(&app, reqwest::Method::PATCH, &format!("/api/v1/tasks/{id}"), json!({"version": 1, "lead_unit": "BTGTU"})).await;
        assert_eq!((status, changed["lead_unit"].as_str()), (200, Some("BTGTU")), "{changed}");
        let snapshot = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::reminders::snapshot(&mut conn, on).expect("snapshot")
        };
        assert!(snapshot.tasks.iter().any(|t| t.id == id));

        // The CSV import keeps requiring a lead.
        let csv = "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\nX-1,Nội dung,,,2022-07-07,,,,\n";
        let imported = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::import::import_tasks(&mut conn, csv.as_bytes(), None, chrono::NaiveDate::from_ymd_opt(2022, 8, 1).expect("date"), &|_, _| {})
        };
        assert!(imported.is_err(), "a row without a lead is refused");
    }

    async fn a_meeting_is_recorded_from_an_uploaded_file_and_keeps_it(app) {
        let web = app.web_as(Role::Official).await;
        let (_, html) = web.get("/meetings/new").await;
        let csrf = csrf_in(&html).expect("csrf");
        assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("name=\"file\""));
        let upload = |bytes: Vec<u8>, name: &str| {
            reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .text("items", "0")
                .text("title", "Giao ban tháng 8")
                .text("held_on", "2022-08-15")
                .text("conclusion_text", "")
                .text("op", "parse")
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
        };
        let post = |form: reqwest::multipart::Form| {
            web.client
                .post(format!("{}/meetings/new?csrf={}", web.base, csrf))
                .multipart(form)
                .send()
        };
        // A scan is refused on the form, with what was typed kept.
        let res = post(upload(scanned_pdf(), "scan.pdf")).await.expect("post");
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.expect("html");
        assert!(html.contains("bản quét") && html.contains("Giao ban tháng 8"), "{html}");

        let res = post(upload(PDF.to_vec(), "ket-luan.pdf")).await.expect("post");
        assert_eq!(res.status().as_u16(), 200);
        let html = res.text().await.expect("html");
        assert!(html.contains("Huyện ủy Kim Bảng rà soát") || html.contains("rà soát đội ngũ"), "{html}");
        assert!(html.contains("name=\"doc_sig\""), "the document waits in the form");
        // … and in the store, marked as waiting: abandoned drafts' documents expire.
        let waiting = || {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            use diesel::RunQueryDsl;
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("SELECT COUNT(*) AS n FROM file_blobs WHERE pending").get_result::<N>(c))
                .expect("count")
                .n
        };
        assert_eq!(waiting(), 1);
        let fields = form_fields(&html);
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let n: usize = get("items").parse().expect("items");
        assert!(n >= 3, "{n} items");
        // Keep only the three directives (ticked items removed at once), then confirm.
        let mut form: Vec<(String, String)> = fields.clone();
        let mut ticked = 0;
        for i in 0..n {
            let text = get(&format!("content_{i}"));
            if !["Văn phòng Tỉnh ủy chủ trì", "Thành ủy Phủ Lý tổ chức", "rà soát đội ngũ"].iter().any(|w| text.contains(w)) {
                form.push((format!("pick_{i}"), "1".into()));
                ticked += 1;
            }
        }
        let mut fields = if ticked > 0 {
            form.push(("op".into(), "picked-remove".into()));
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, _, html) = web.post("/meetings/new", &pairs).await;
            assert_eq!(status, 200, "{html}");
            form_fields(&html)
        } else {
            fields.clone()
        };
        assert_eq!(fields.iter().find(|(k, _)| k == "items").map(|(_, v)| v.as_str()), Some("3"), "{fields:?}");
        // A forged document is not attached: the signature names the uploader's file only.
        let forged = fields.iter().map(|(k, v)| (k.clone(), if k == "doc_path" { "2022/other.pdf".into() } else { v.clone() })).collect::<Vec<_>>();
        let mut confirm = forged.clone();
        confirm.push(("op".into(), "confirm".into()));
        let pairs: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, location, _) = web.post("/meetings/new", &pairs).await;
        assert_eq!(status, 303);
        let (_, page) = web.get(&location.expect("location")).await;
        assert!(!page.contains("meeting-documents"), "no document attached by a forged form");

        fields.push(("op".into(), "confirm".into()));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, location, _) = web.post("/meetings/new", &pairs).await;
        assert_eq!(status, 303);
        let (_, page) = web.get(&location.expect("location")).await;
        let at = page.find("/documents/").expect("a download link");
        let start = page[..at].rfind('"').expect("href") + 1;
        let href = &page[start..at + page[at..].find('"').expect("end")];
        let res = web.client.get(format!("{}{}", web.base, href)).send().await.expect("download");
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), PDF, "the signed document, as uploaded");
        assert_eq!(waiting(), 0, "the meeting's document no longer waits to expire");
        let (status, _) = web.get(&format!("{}/documents/999999", &href[..href.find("/documents/").unwrap_or(0)])).await;
        assert_eq!(status, 404);
    }
}

/// The fields a browser would send back from the new-meeting page (unticked boxes left out).
fn form_fields(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#x2F;", "/")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let end = rest.find('>').unwrap_or(rest.len() - 1);
        let tag = &rest[..end];
        let after = &rest[end + 1..];
        if let Some(name) = attr(tag, "name").filter(|n| n != "op" && n != "file") {
            let value = if tag.starts_with("<textarea") {
                Some(after[..after.find("</textarea>").unwrap_or(0)].to_string())
            } else if tag.starts_with("<select") {
                let select = &after[..after.find("</select>").unwrap_or(0)];
                Some(
                    select
                        .split("<option")
                        .find(|o| o.contains(" selected"))
                        .and_then(|o| attr(o, "value"))
                        .unwrap_or_default(),
                )
            } else if tag.starts_with("<input") && tag.contains("type=\"checkbox\"") {
                tag.contains(" checked")
                    .then(|| attr(tag, "value").unwrap_or_default())
            } else if tag.starts_with("<input") {
                Some(attr(tag, "value").unwrap_or_default())
            } else {
                None
            };
            if let Some(v) = value {
                out.push((name, unescape(&v)));
            }
        }
        rest = after;
    }
    out
}

/// The SQLite migration rebuilds `tasks` to make its lead nullable: the rows,
/// their reports and requests (which cascade on delete), the indexes and the
/// report-version triggers all survive it.
#[test]
fn the_sqlite_rebuild_keeps_tasks_and_what_hangs_on_them() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};

    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let mut conn = SqliteConnection::establish(&path.display().to_string()).expect("sqlite");
    conn.batch_execute("PRAGMA foreign_keys = ON;")
        .expect("pragma");
    let source =
        FileBasedMigrations::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .expect("migrations");
    let mine = "2026-12-01-000300";
    for m in conn.pending_migrations(source.clone()).expect("pending") {
        if m.name().to_string().as_str() < mine {
            conn.run_migration(&*m).expect("older migration");
        }
    }
    conn.batch_execute(
        "INSERT INTO units (id, code, name, active, created_at, updated_at) VALUES (1, 'BTGTU', 'Ban', 1, '2022-07-07 00:00:00', '2022-07-07 00:00:00');
         INSERT INTO tasks (id, reference, content, search_text, lead_unit_id, assigned_on, deadline, created_at, updated_at)
           VALUES (7, 'TG-01', 'Tổ chức hội nghị', 'to chuc hoi nghi', 1, '2022-07-07', '2022-12-31', '2022-07-07 00:00:00', '2022-07-07 00:00:00');
         INSERT INTO task_coordinators (task_id, unit_id) VALUES (7, 1);
         INSERT INTO progress_reports (task_id, unit_id, reported_on, percent, created_at) VALUES (7, 1, '2022-08-01', 50, '2022-08-01 00:00:00');",
    )
    .expect("old data");
    let count = |conn: &mut SqliteConnection, sql: &str| {
        diesel::sql_query(sql).get_result::<N>(conn).expect(sql).n
    };
    let version = count(&mut conn, "SELECT version AS n FROM report_state");
    conn.run_pending_migrations(source).expect("the rebuild");
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM tasks WHERE id = 7 AND lead_unit_id = 1"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM progress_reports WHERE task_id = 7"
        ),
        1,
        "no cascade"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM task_coordinators WHERE task_id = 7"
        ),
        1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT foreign_keys AS n FROM pragma_foreign_keys"
        ),
        1,
        "foreign keys are on again"
    );
    let indexes: Vec<String> = diesel::sql_query("SELECT name FROM sqlite_master WHERE tbl_name = 'tasks' AND type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .load::<Name>(&mut conn)
        .expect("schema")
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(
        indexes,
        [
            "tasks_lead_unit",
            "tasks_meeting",
            "tasks_report",
            "tasks_report_completed",
            "tasks_report_delete",
            "tasks_report_insert",
            // The change stamp of the report's snapshot (a later migration).
            "tasks_report_stamp",
            "tasks_report_update"
        ]
    );
    let after = count(&mut conn, "SELECT version AS n FROM report_state");
    conn.batch_execute(
        "INSERT INTO tasks (reference, content, search_text, lead_unit_id, assigned_on, created_at, updated_at)
           VALUES ('TG-02', 'Các sở rà soát', 'cac so ra soat', NULL, '2022-07-07', '2022-07-07 00:00:00', '2022-07-07 00:00:00');",
    )
    .expect("a task without a lead");
    assert!(after > version, "cached reports are dropped by the rebuild");
    assert_eq!(
        count(&mut conn, "SELECT version AS n FROM report_state"),
        after + 1,
        "the triggers still count changes"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM pragma_foreign_key_check"
        ),
        0
    );
}
