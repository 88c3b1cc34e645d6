//! The dashboard as its readers meet it, on both backends: a leader limited to
//! a subtree (set from the command line) sees only its units on the page, in
//! the exports and in the API; an official freezes a period ("chốt số liệu")
//! and the frozen numbers stay while tasks change; the print view; bad input
//! answered in the form, never with a 500.

mod common;
mod dashboard_support;

use common::{TestApp, WebClient};
use dashboard_support::*;
use dondoc::domain::Role;
use std::process::Command;

const TASKS_CSV: &str = "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on
K1,Tổng kết công tác khối,KHOI,,2022-07-07,2022-12-31,,2022-11-01,
K2,Báo cáo chuyên đề của đảng bộ cơ sở,KHOI1,,2022-07-07,2022-09-30,,,
K3,Chuẩn bị hội nghị sơ kết,VPTU,,2022-07-07,2022-12-31,,,
K4,Rà soát văn bản,BTGTU,,2022-03-01,2022-06-30,,2022-08-15,
";

fn setup(app: &TestApp) {
    app.add_units(&[
        ("KHOI", "Đảng ủy Khối các cơ quan tỉnh", Some("TUHN")),
        ("KHOI1", "Đảng bộ Sở Tài chính", Some("KHOI")),
    ]);
    import(app, TASKS_CSV);
}

fn import(app: &TestApp, csv: &str) {
    let mut conn = app.db.conn().expect("conn");
    dondoc::import::import_tasks(&mut conn, csv.as_bytes(), None, app_today(), &|_, _| {})
        .expect("import");
}

fn app_today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `dondoc user scope …` against the test's database.
fn scope_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args(["user", "scope"])
        .args(args)
        .current_dir(app.test_db.dir())
        .env("DATABASE_URL", &app.test_db.url)
        .env("DONDOC_MAIL_DIR", app.test_db.dir().join("mail"))
        .env("LANG", "vi_VN.UTF-8")
        .env_remove("DONDOC_BIND")
        .output()
        .expect("dondoc");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn codes(body: &serde_json::Value) -> Vec<String> {
    body["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["code"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn bytes(web: &WebClient, path: &str) -> (u16, Vec<u8>) {
    let res = web
        .client
        .get(format!("{}{path}", web.base))
        .send()
        .await
        .expect("get");
    let status = res.status().as_u16();
    (status, res.bytes().await.expect("body").to_vec())
}

/// The flash messages of the page a redirect leads to.
async fn follow(web: &WebClient, location: Option<String>) -> String {
    let (_, html) = web.get(&location.expect("a redirect")).await;
    between(&html, "class=\"flashes\"", "</div>")
        .map(strip_tags)
        .unwrap_or_default()
}

on_both_backends! {
    async fn an_export_longer_than_a_read_lists_every_task_once_in_order(app) {
        // 2 500 tasks: read 1 000 at a time, the last read short.
        let mut csv = String::from("ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\n");
        for i in 0..2500 {
            let unit = ["VPTU", "BTGTU", "TUHN"][i % 3];
            // Deadlines repeat (ties go by id) and some are missing (listed last).
            let deadline = if i % 7 == 0 { String::new() } else { format!("2022-{:02}-{:02}", 7 + i % 6, 1 + i % 28) };
            csv.push_str(&format!("E{i:04},Nhiệm vụ số {i},{unit},,2022-07-01,{deadline},,,\n"));
        }
        import(&app, &csv);
        let web = app.web_as(Role::Leader).await;
        let (status, body) = bytes(&web, "/dashboard/tasks.csv?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(status, 200);
        let (_, lines) = csv_rows(&body);
        let refs: std::collections::BTreeSet<&str> = lines.iter().map(|l| l["ref"].as_str()).collect();
        assert_eq!((lines.len(), refs.len()), (2500, 2500), "every task once");
        let key = |l: &std::collections::BTreeMap<String, String>| {
            let id: i64 = l["id"].parse().expect("id");
            (l["lead_unit"].clone(), l["deadline"].is_empty(), l["deadline"].clone(), id)
        };
        let keys: Vec<_> = lines.iter().map(key).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "ordered by lead unit, deadline (none last), id");

        let (status, body) = bytes(&web, "/dashboard/tasks.xlsx?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(status, 200);
        let book = Workbook::read(body);
        let sheet = book.sheet(0);
        // The heading's four lines, a blank one, the header, then the tasks in the same order.
        assert_eq!(text(&sheet[5][0]), "Số hiệu");
        let xlsx_refs: Vec<String> = sheet[6..].iter().map(|r| text(&r[0])).collect();
        let csv_refs: Vec<String> = lines.iter().map(|l| l["ref"].clone()).collect();
        assert_eq!(xlsx_refs, csv_refs);
        assert!(matches!(sheet[6][5], calamine::Data::DateTime(_)), "dates as dates: {:?}", sheet[6][5]);
    }

    async fn a_leader_sees_the_units_of_their_scope(app) {
        setup(&app);
        let leader = app.email_of(Role::Leader);
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(body["totals"]["total"], 4, "the whole tree by default: {body}");

        let (ok, out) = scope_cli(&app, &["--email", &leader, "--unit", "KHOI"]);
        assert!(ok, "{out}");
        let (ok, out) = scope_cli(&app, &["--email", "khong-co@example.vn", "--unit", "KHOI"]);
        assert!(!ok && out.contains("khong-co@example.vn"), "{out}");
        let (ok, out) = scope_cli(&app, &["--email", &leader, "--unit", "NOPE"]);
        assert!(!ok && out.contains("NOPE"), "{out}");

        // The API.
        let (status, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(status, 200);
        assert_eq!(codes(&body), ["KHOI", "KHOI1"]);
        let t = &body["totals"];
        assert_eq!((t["total"].as_u64(), t["done_on_time"].as_u64(), t["overdue"].as_u64()), (Some(2), Some(1), Some(1)));
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31&unit=KHOI1").await;
        assert_eq!((codes(&body), body["totals"]["total"].as_u64()), (vec!["KHOI1".to_string()], Some(1)));
        let (status, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31&unit=VPTU").await;
        assert_eq!((status, body["field"].as_str()), (422, Some("unit")), "{body}");
        // Others still see everything.
        let res = app.get("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31", Role::Official).send().await.expect("api");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["totals"]["total"], 4);

        // The page, its links, and the exports.
        let web = app.web_as(Role::Leader).await;
        let (status, html) = web.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(status, 200);
        let (rows, totals) = units_table(&html);
        assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["KHOI", "KHOI1"]);
        assert_eq!((totals.counts.total, totals.counts.overdue), (2, 1));
        assert!(html.contains("Phạm vi: Đảng ủy Khối các cơ quan tỉnh (KHOI) và các đơn vị trực thuộc."), "{html}");
        // A total of the scope can only be listed by the dashboard's own list.
        assert!(totals.links.iter().all(|l| l.starts_with("/dashboard/tasks?")), "{:?}", totals.links);
        let (_, list) = web.get(&totals.links[0]).await;
        assert!(list.contains("2 nhiệm vụ") && list.contains("K1") && list.contains("K2") && !list.contains("K3"), "{list}");
        let (status, list) = web.get("/dashboard/tasks?period=2022-H2&as_of=2022-12-31&lead_unit=VPTU").await;
        assert_eq!(status, 422, "a unit outside the scope: {list}");
        assert!(list.contains("ngoài phạm vi theo dõi"));
        let (status, csv) = bytes(&web, "/dashboard/export.csv?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(status, 200);
        let (_, lines) = csv_rows(&csv);
        assert_eq!(lines.iter().map(|l| l["code"].as_str()).collect::<Vec<_>>(), ["KHOI", "KHOI1", ""]);
        let (_, csv) = bytes(&web, "/dashboard/tasks.csv?period=2022-H2&as_of=2022-12-31").await;
        let (_, lines) = csv_rows(&csv);
        assert_eq!(lines.iter().map(|l| l["ref"].as_str()).collect::<Vec<_>>(), ["K1", "K2"]);
        let (status, _) = web.get("/dashboard?period=2022-H2&unit=VPTU").await;
        assert_eq!(status, 422);

        // Back to the whole tree.
        let (ok, out) = scope_cli(&app, &["--email", &leader]);
        assert!(ok, "{out}");
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(body["totals"]["total"], 4);
        let mut conn = app.db.conn().expect("conn");
        let audit = dondoc::storage::audit::list(&mut conn, &Default::default(), 50).expect("audit");
        assert_eq!(audit.iter().filter(|a| a.action == "user.scope").count(), 2);
    }

    async fn an_official_freezes_a_period_and_the_numbers_stay(app) {
        setup(&app);
        let official = app.web_as(Role::Official).await;
        let csrf = official.csrf().await;
        let (_, html) = official.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert!(html.contains("action=\"/dashboard/close\""), "officials get the form");
        let (status, location, _) = official
            .post("/dashboard/close", &[("csrf", &csrf), ("period", "2022-H2"), ("as_of", "2022-12-31"), ("note", "Số liệu báo cáo sơ kết")])
            .await;
        assert_eq!(status, 303);
        assert_eq!(location.as_deref(), Some("/dashboard?period=2022-H2&as_of=2022-12-31"));
        let flash = follow(&official, location).await;
        assert!(flash.contains("Đã chốt số liệu kỳ 2022-H2 tính đến ngày 31/12/2022"), "{flash}");

        // A task changes after the close: the live numbers move, the frozen ones stay.
        import(&app, &TASKS_CSV.replace("K3,Chuẩn bị hội nghị sơ kết,VPTU,,2022-07-07,2022-12-31,,,", "K3,Chuẩn bị hội nghị sơ kết,VPTU,,2022-07-07,2022-12-31,,2022-12-20,"));
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!((body["totals"]["done_on_time"].as_u64(), body["totals"]["in_progress"].as_u64()), (Some(2), Some(0)));
        let closed = &body["closed"];
        assert_eq!(closed["as_of"], "2022-12-31");
        assert_eq!(closed["note"], "Số liệu báo cáo sơ kết");
        assert_eq!((closed["totals"]["done_on_time"].as_u64(), closed["totals"]["in_progress"].as_u64(), closed["totals"]["total"].as_u64()), (Some(1), Some(1), Some(4)));
        let vptu = closed["units"].as_array().expect("units").iter().find(|u| u["code"] == "VPTU").expect("VPTU");
        assert_eq!(vptu["in_progress"], 1);

        let leader = app.web_as(Role::Leader).await;
        let (_, html) = leader.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        let compare = between(&html, "class=\"report compare\"", "</table>").expect("the frozen numbers beside the live ones");
        let done_row = between(compare, "Hoàn thành đúng hạn", "</tr>").expect("row");
        assert_eq!(cell(done_row, "frozen").as_deref(), Some("1"));
        assert_eq!(cell(done_row, "live").as_deref(), Some("2"));
        assert_eq!(cell(done_row, "change").as_deref(), Some("+1"));
        assert!(!html.contains("action=\"/dashboard/close\""), "leaders do not close periods");
        let frozen_table = between(&html, "id=\"frozen-table\"", "</table>").expect("frozen by unit");
        assert!(frozen_table.contains("data-unit=\"VPTU\""));
        // The workbook carries the frozen report on its own sheet.
        let (_, xlsx) = bytes(&leader, "/dashboard/export.xlsx?period=2022-H2&as_of=2022-12-31").await;
        let book = Workbook::read(xlsx);
        let names: Vec<&str> = book.sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Tổng hợp", "Theo tháng", "Quá hạn", "Đã chốt"]);
        let (_, frozen_totals) = xlsx_report(book.sheet(3), "Tổng cộng");
        assert_eq!((xlsx_counts(&frozen_totals).done_on_time, xlsx_counts(&frozen_totals).in_progress), (1, 1));
        let (_, live_totals) = xlsx_report(book.sheet(0), "Tổng cộng");
        assert_eq!(xlsx_counts(&live_totals).done_on_time, 2);

        // One close per period; only officials; never as of a day to come nor before the period.
        let (_, location, _) = official.post("/dashboard/close", &[("csrf", &csrf), ("period", "2022-H2"), ("as_of", "2022-12-31")]).await;
        assert!(follow(&official, location).await.contains("đã được chốt số liệu"));
        let leader_csrf = leader.csrf().await;
        let (status, _, _) = leader.post("/dashboard/close", &[("csrf", &leader_csrf), ("period", "2022-Q4")]).await;
        assert_eq!(status, 403);
        let (_, location, _) = official.post("/dashboard/close", &[("csrf", &csrf), ("period", "2099-H1"), ("as_of", "2099-03-01")]).await;
        assert!(follow(&official, location).await.contains("chưa tới"));
        let (_, location, _) = official.post("/dashboard/close", &[("csrf", &csrf), ("period", "2022-Q3"), ("as_of", "2022-06-01")]).await;
        assert!(follow(&official, location).await.contains("trước ngày bắt đầu kỳ"));
        let (_, location, _) = official.post("/dashboard/close", &[("csrf", &csrf), ("period", "2022-H7")]).await;
        assert!(follow(&official, location).await.contains("2022-H7"));
        let (status, _, _) = official.post("/dashboard/close", &[("period", "2022-Q4")]).await;
        assert_eq!(status, 403, "the form needs the session's token");

        // Reopening: the close is gone, the audit log keeps both.
        let (_, location, _) = official.post("/dashboard/reopen", &[("csrf", &csrf), ("period", "2022-H2")]).await;
        assert!(follow(&official, location).await.contains("Đã bỏ chốt số liệu kỳ 2022-H2"));
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert!(body["closed"].is_null());
        let (_, location, _) = official.post("/dashboard/reopen", &[("csrf", &csrf), ("period", "2022-H2")]).await;
        assert!(follow(&official, location).await.contains("chưa được chốt"));
        let mut conn = app.db.conn().expect("conn");
        let audit = dondoc::storage::audit::list(&mut conn, &Default::default(), 50).expect("audit");
        let close = audit.iter().find(|a| a.action == "period.close").expect("the close is in the audit log");
        assert!(close.details.contains("\"period\":\"2022-H2\"") && close.details.contains("\"in_progress\":1"), "{}", close.details);
        let reopen = audit.iter().find(|a| a.action == "period.reopen").expect("the reopening too");
        assert!(reopen.details.contains("\"in_progress\":1"), "{}", reopen.details);
        let (_, audit_page) = official.get("/admin/audit").await;
        assert!(audit_page.contains("Chốt số liệu") && audit_page.contains("Bỏ chốt số liệu"));
    }

    async fn every_change_of_a_task_shows_at_once(app) {
        setup(&app);
        let url = "/api/v1/dashboard?period=2022-H2&as_of=2022-12-31";
        let done = |b: &serde_json::Value| b["totals"]["done_on_time"].as_u64();
        let (_, before) = app.get_json(url).await;
        assert_eq!(done(&before), Some(1));
        let sql = |q: &str| {
            use diesel::connection::SimpleConnection;
            let mut conn = app.db.conn().expect("conn");
            conn.batch_execute(q).expect("sql");
        };
        // Written straight to the database, as another instance or a script would.
        sql("UPDATE tasks SET completed_on = '2022-12-01' WHERE reference = 'K3'");
        let (_, after) = app.get_json(url).await;
        assert_eq!(done(&after), Some(2), "a completion counts at once");
        sql("UPDATE tasks SET deadline = '2022-11-30' WHERE reference = 'K3'");
        let (_, after) = app.get_json(url).await;
        assert_eq!((done(&after), after["totals"]["done_late"].as_u64()), (Some(1), Some(2)), "a moved deadline too (K4 was late already)");
        sql("UPDATE tasks SET lead_unit_id = (SELECT id FROM units WHERE code = 'KHOI') WHERE reference = 'K3'");
        let (_, after) = app.get_json(url).await;
        let khoi = after["units"].as_array().expect("units").iter().find(|u| u["code"] == "KHOI").expect("KHOI");
        assert_eq!(khoi["total"], 2, "and a new lead unit");
        sql("UPDATE tasks SET cancelled_on = '2022-12-15' WHERE reference = 'K1'");
        let (_, after) = app.get_json(url).await;
        assert_eq!(after["totals"]["total"], 3, "a cancellation");
        sql("DELETE FROM task_coordinators; DELETE FROM audit_log WHERE task_id IS NOT NULL; DELETE FROM tasks WHERE reference = 'K4'");
        let (_, after) = app.get_json(url).await;
        assert_eq!(after["totals"]["total"], 2, "a deletion");
        import(&app, "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\nK9,Nhiệm vụ mới,VPTU,,2022-08-01,2022-08-31,,,\n");
        let (_, after) = app.get_json(url).await;
        assert_eq!((after["totals"]["total"].as_u64(), after["totals"]["overdue"].as_u64()), (Some(3), Some(2)), "an import");
        // The page and its months agree with the API after the changes.
        let web = app.web_as(Role::Leader).await;
        let (_, html) = web.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        let html = unescape(&html);
        let (_, totals) = units_table(&html);
        assert_eq!((totals.counts.total, totals.counts.overdue), (3, 2));
        let progress = between(&html, "id=\"fig-progress\"", "</figure>").expect("progress");
        let december = between(progress, "<th scope=\"row\">12/2022</th>", "</tr>").expect("December");
        assert!(december.contains(">3</a>"), "{december}");
    }

    async fn the_print_view_and_the_charts(app) {
        setup(&app);
        let web = app.web_as(Role::Leader).await;
        let (status, html) = web.get("/dashboard/print?period=2022-H2&as_of=2022-12-31&sort=overdue&dir=desc").await;
        assert_eq!(status, 200);
        let html = unescape(&html);
        assert!(html.contains("<html lang=\"vi\">"));
        assert!(html.contains("6 tháng cuối năm 2022 (từ 01/07/2022 đến 31/12/2022), số liệu tính đến ngày 31/12/2022."), "{html}");
        assert!(html.contains("class=\"printed-at\">In lúc "), "the time it was printed");
        assert!(!html.contains("<form"), "nothing to fill in on paper");
        let (rows, _) = units_table(&html);
        assert_eq!(rows[0].code, "KHOI1", "the page's order: the most overdue first");
        assert!(rows.iter().all(|r| r.links.is_empty()), "no links on paper");

        let (_, html) = web.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        let html = unescape(&html);
        for id in ["chart-units", "chart-progress", "chart-ages"] {
            assert!(html.contains(&format!("aria-labelledby=\"{id}-t {id}-d\"")), "{id} has a title and a description");
        }
        assert!(!html.contains("style="), "no inline styles (the CSP forbids them)");
        assert!(!html.contains("<script"), "no scripts");
        // K2 is 92 days overdue as of 31/12/2022: the 61–120 bucket, with a link to it.
        let ages = between(&html, "id=\"fig-ages\"", "</figure>").expect("ages");
        assert_eq!(cell(ages, "age-3").as_deref(), Some("1"));
        assert!(ages.contains("status=overdue&age=3"));
        // The months of the period, each from the start of the period to its end.
        let progress = between(&html, "id=\"fig-progress\"", "</figure>").expect("progress");
        for m in ["07/2022", "08/2022", "09/2022", "10/2022", "11/2022", "12/2022"] {
            assert!(progress.contains(&format!("<th scope=\"row\">{m}</th>")), "{m}");
        }
        // Grey print: every status has a pattern, not only a colour.
        for p in ["chart-units-done_late", "chart-units-in_progress", "chart-units-overdue"] {
            assert!(html.contains(&format!("<pattern id=\"{p}\"")), "{p}");
        }
    }

    async fn bad_input_is_answered_in_the_form(app) {
        setup(&app);
        let web = app.web_as(Role::Leader).await;
        let (status, html) = web.get("/dashboard?period=2022-H3").await;
        assert_eq!(status, 422);
        assert!(html.contains("“2022-H3” không phải là kỳ hợp lệ"), "{html}");
        let (status, html) = web.get("/dashboard?period=2022-H2&as_of=2022-06-01").await;
        assert_eq!(status, 422);
        assert!(html.contains("value=\"01/06/2022\"") && html.contains("<option value=\"2022-H2\" selected>"), "{html}");
        assert!(html.contains("trước ngày bắt đầu kỳ"), "{html}");
        let (status, html) = web.get("/dashboard?period=2022-H2&as_of=31/02/2022").await;
        assert_eq!(status, 422, "{html}");
        for path in [
            "/dashboard?sort=bogus",
            "/dashboard?dir=sideways",
            "/dashboard?unit=NOPE",
            "/dashboard?from=2022-07-01",
            "/dashboard/export.csv?period=x",
            "/dashboard/export.xlsx?as_of=1999-01-01",
            "/dashboard/print?period=2022-13",
            "/dashboard/tasks?age=9",
            "/dashboard/tasks?carried=yes",
            "/dashboard/tasks?status=late",
            "/dashboard/tasks?page=0",
            "/dashboard/tasks.csv?lead_unit=NOPE",
            "/dashboard/tasks.xlsx?period=2022-H2&as_of=2021-01-01",
        ] {
            let (status, html) = web.get(path).await;
            assert_eq!(status, 422, "{path}: {html}");
            assert!(html.contains("error-summary"), "{path}");
        }
    }

    async fn every_number_opens_its_list_headed_by_what_it_is(app) {
        setup(&app);
        let web = app.web_as(Role::Leader).await;
        let dashboard = "/dashboard?period=2022-H2&as_of=2022-12-31&sort=overdue&dir=desc";
        let (status, html) = web.get(dashboard).await;
        assert_eq!(status, 200);
        let (rows, totals) = units_table(&html);
        for row in rows.iter().chain([&totals]) {
            assert!(!row.links.is_empty() && row.links.iter().all(|l| l.starts_with("/dashboard/tasks?")), "{:?}", row.links);
        }
        let khoi1 = rows.iter().find(|r| r.code == "KHOI1").expect("KHOI1");
        assert_eq!(khoi1.counts.overdue, 1);
        let overdue = khoi1.links.iter().find(|l| l.contains("status=overdue") && !l.contains("age=")).expect("overdue link");
        let (status, list) = web.get(overdue).await;
        assert_eq!(status, 200, "{list}");
        assert!(list.contains("<h1>6 tháng cuối năm 2022 · tính đến 31&#x2F;12&#x2F;2022 · Đảng bộ Sở Tài chính · Quá hạn: 1</h1>"), "{list}");
        assert!(list.contains("Đảng bộ Sở Tài chính <span class=\"code\">(KHOI1)</span>"), "names first, codes second: {list}");
        let chips = between(&list, "class=\"chips\"", "</ul>").expect("applied filters");
        assert!(chips.contains("Quá hạn") && chips.contains("KHOI1"), "{chips}");
        let back = unescape(between(&list, "class=\"crumbs\"><a href=\"", "\"").expect("the way back"));
        assert_eq!(back, dashboard, "back to the dashboard as it was");
        // A total of every unit says so, with its count.
        let (_, list) = web.get(&totals.links[0]).await;
        assert!(list.contains("· Tất cả đơn vị · Tổng số: 4</h1>"), "{list}");
    }

    async fn the_period_picker_names_periods_and_takes_a_range(app) {
        setup(&app);
        let web = app.web_as(Role::Leader).await;
        let (status, html) = web.get("/dashboard?period=2022-Q3&as_of=2022-09-30").await;
        assert_eq!(status, 200);
        assert!(html.contains("<select id=\"f-period\" name=\"period\""), "{html}");
        assert!(html.contains("<option value=\"2022-Q3\" selected>Quý III&#x2F;2022</option>"), "{html}");
        let year = chrono::Datelike::year(&app_today());
        for name in [format!("6 tháng cuối năm {year}"), format!("Quý I&#x2F;{year}"), format!("Năm {year}"), "Khoảng tùy chọn".to_string()] {
            assert!(html.contains(&format!("{name}</option>")), "{name}");
        }
        // A custom range, typed as two dates, without any script.
        let (status, html) = web.get("/dashboard?period=custom&from=01%2F07%2F2022&to=15%2F08%2F2022").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<option value=\"custom\" selected>"), "{html}");
        assert!(html.contains("value=\"01/07/2022\"") && html.contains("value=\"15/08/2022\""), "{html}");
        assert!(html.contains("Từ 01&#x2F;07&#x2F;2022 đến 15&#x2F;08&#x2F;2022"), "{html}");
        let (status, html) = web.get("/dashboard?period=custom").await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"e-f-from\""), "the missing date is named: {html}");
        // The task list picks its period the same way, "any period" first.
        let (status, html) = web.get("/tasks?period=custom&from=2022-07-01&to=2022-08-15").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<option value=\"\">Mọi kỳ</option>") && html.contains("<option value=\"custom\" selected>"), "{html}");
    }
}

/// Over `DONDOC_MAX_EXPORTS` exports at once, the next one is answered 503
/// with a page saying to come back, and `Retry-After`; a slot given back is
/// taken by the next export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_over_the_cap_are_asked_to_come_back() {
    let app = TestApp::spawn_with(
        common::Backend::Sqlite,
        &[("DONDOC_MAX_EXPORTS", "2".into())],
    )
    .await;
    setup(&app);
    let web = app.web_as(Role::Leader).await;
    let held: Vec<_> = std::iter::from_fn(|| app.exports.try_take()).collect();
    assert_eq!(held.len(), 2, "as many slots as DONDOC_MAX_EXPORTS");
    for path in [
        "/dashboard/tasks.csv?period=2022-H2",
        "/dashboard/tasks.xlsx?period=2022-H2",
    ] {
        let res = web
            .client
            .get(format!("{}{path}", web.base))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status().as_u16(), 503, "{path}");
        assert!(res.headers().get("retry-after").is_some(), "{path}");
        let html = res.text().await.expect("page");
        assert!(
            html.contains("Máy chủ đang xuất nhiều danh sách cùng lúc"),
            "{html}"
        );
    }
    let (status, _) = web.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
    assert_eq!(status, 200, "pages are served meanwhile");
    drop(held);
    let (status, csv) = bytes(&web, "/dashboard/tasks.csv?period=2022-H2&as_of=2022-12-31").await;
    assert_eq!(status, 200);
    assert_eq!(csv_rows(&csv).1.len(), 4);
    let free: Vec<_> = std::iter::from_fn(|| app.exports.try_take()).collect();
    assert_eq!(free.len(), 2, "the export gave its slot back");
}
