//! Each role's day in a real headless Chromium, where the other browser
//! tests leave a gap: the official confirms a waiting completion in two
//! clicks from sign-in on a phone (390 px) and a desktop (1366 px); a unit
//! goes from its open tasks to a report with an attached document that
//! proposes completion (1366 px; the phone's photo walk is in
//! `browser_phone.rs`); a leader opens a number of the dashboard and comes
//! back by the list's own link (both widths). And an official picks two
//! coordinators among 500 units with the keyboard.

mod common;

use common::browser::{Browser, Screen};
use common::{Backend, TestApp, PASSWORD};
use dondoc::domain::Role;
use serde_json::{json, Value};

const SCREENS: [Screen; 2] = [Screen::Desktop(1366), Screen::Phone(390)];

/// WebDriver's Enter key.
const ENTER: &str = "\u{E007}";

async fn api(app: &TestApp, role: Role, path: &str, body: Value) -> Value {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.tokens[&role])
        .json(&body)
        .send()
        .await
        .expect("request");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.expect("json")
}

/// An open task of the test unit, due far ahead.
async fn task(app: &TestApp, content: &str) -> i64 {
    let body = json!({"content": content, "lead_unit": common::TEST_UNIT, "assigned_on": "2022-07-07", "deadline": "2099-12-31"});
    api(app, Role::Official, "/api/v1/tasks", body).await["id"]
        .as_i64()
        .expect("id")
}

async fn official_confirms_in_two_clicks(screen: Screen) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = task(&app, "Tổ chức hội nghị sơ kết").await;
    let proposal = json!({"percent": 100, "note": "Đã tổ chức", "proposes_completion": true, "completed_on": "2022-12-20"});
    api(
        &app,
        Role::Unit,
        &format!("/api/v1/tasks/{id}/reports"),
        proposal,
    )
    .await;
    let b = Browser::start_on(&app.base, screen).await;
    // Click one: sign in, which lands on what waits.
    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    assert_eq!(b.path().await, "/inbox", "{screen:?}");
    // Click two: confirm.
    b.click(&format!(
        "#completion_waiting form[action='/tasks/{id}/complete?next=/inbox'] button"
    ))
    .await;
    assert!(b.wait_for(".flashes").await, "{screen:?}");
    assert_eq!(b.path().await, "/inbox");
    let (_, t) = app.get_json(&format!("/api/v1/tasks/{id}")).await;
    assert_eq!(
        (t["state"].as_str(), t["completed_on"].as_str()),
        (Some("done"), Some("2022-12-20")),
        "{screen:?}"
    );
    b.close().await;
}

async fn leader_drills_down_and_back(screen: Screen) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo");
    }
    let b = Browser::start_on(&app.base, screen).await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    b.click(".main-nav a[href='/dashboard']").await;
    b.wait_path(|p| p.starts_with("/dashboard")).await;
    b.select("#f-period", "2022-H2").await;
    // As of the period's last day (the field holds today's date of the current period).
    b.fill("#f-as_of", "").await;
    b.click("form.filters button[type=submit]").await;
    let dashboard = b.wait_path(|p| p.contains("period=2022-H2")).await;
    assert!(
        dashboard.contains("period=2022-H2"),
        "{screen:?}: {dashboard}"
    );
    let line = b.text(".period-line").await;
    let total = b.text("dl.totals > div:first-child a").await;
    b.click("dl.totals > div:first-child a").await;
    let list = b.wait_path(|p| p.starts_with("/dashboard/tasks?")).await;
    assert!(list.starts_with("/dashboard/tasks?"), "{screen:?}: {list}");
    let heading = b.text("h1").await;
    assert!(
        heading.starts_with("6 tháng cuối năm 2022 · tính đến 31/12/2022")
            && heading.ends_with(&format!("Tổng số: {}", total.trim())),
        "{screen:?}: {heading}"
    );
    b.click(".crumbs a.back-link").await;
    assert_eq!(
        b.wait_path(|p| p.starts_with("/dashboard?")).await,
        "/dashboard?period=2022-H2&as_of=2022-12-31&sort=code&dir=asc",
        "{screen:?}: back to the same report, its parameters spelled out"
    );
    assert_eq!(b.text(".period-line").await, line);
    b.close().await;
}

macro_rules! on_screens {
    ($($name:ident: $journey:ident,)*) => {
        mod desktop {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $journey(SCREENS[0]).await;
                }
            )*
        }
        mod phone {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $journey(SCREENS[1]).await;
                }
            )*
        }
    };
}

on_screens! {
    an_official_confirms_a_completion_in_two_clicks: official_confirms_in_two_clicks,
    a_leader_opens_a_number_and_comes_back: leader_drills_down_and_back,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_goes_from_its_open_tasks_to_a_proposal_with_a_document() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = task(&app, "Tổ chức tọa đàm khoa giáo").await;
    let scan = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("scan");
    std::fs::write(scan.path(), b"%PDF-1.4 bien ban").expect("write scan");
    let b = Browser::start_on(&app.base, SCREENS[0]).await;
    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.click(".main-nav a[href='/tasks?mine=1']").await;
    b.wait_path(|p| p == "/tasks?mine=1").await;
    b.click(&format!("table.tasks a[href='/tasks/{id}']")).await;
    b.wait_path(|p| p == format!("/tasks/{id}")).await;
    b.client
        .find(fantoccini::Locator::Css("#f-attachment"))
        .await
        .expect("file input")
        .send_keys(&scan.path().display().to_string())
        .await
        .expect("attach");
    b.fill("#f-percent", "100").await;
    b.fill("#f-note", "Đã tổ chức; biên bản kèm theo").await;
    b.click("input[name='proposes_completion']").await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    assert!(b.wait_for("li.report.pending").await, "the proposal waits");
    let reports = b.text("ol.reports").await;
    assert!(
        reports.contains("Đã tổ chức; biên bản kèm theo") && reports.contains(".pdf"),
        "{reports}"
    );
    b.close().await;
}

async fn press_enter(b: &Browser, css: &str) {
    b.client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(ENTER)
        .await
        .expect("enter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_picks_two_coordinators_among_500_units() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let names: Vec<(String, String)> = (1..=500)
        .map(|i| (format!("P{i:03}"), format!("Phòng chuyên môn số {i}")))
        .chain([("STC".to_string(), "Sở Tài chính".to_string())])
        .collect();
    let units: Vec<(&str, &str, Option<&str>)> = names
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str(), Some("TUHN")))
        .collect();
    app.add_units(&units);
    let b = Browser::start_on(&app.base, SCREENS[0]).await;
    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    b.open("/tasks/new").await;
    let boxes = b
        .client
        .find_all(fantoccini::Locator::Css(
            "#f-coordinators input[type=checkbox]",
        ))
        .await
        .expect("boxes");
    assert!(boxes.len() > 500, "{} boxes", boxes.len());
    b.fill("#f-content", "Rà soát quy chế phối hợp").await;
    b.select("#f-lead_unit", common::TEST_UNIT).await;
    b.fill("#f-assigned_on", "07/07/2022").await;
    // Typed without accents, the one match is ticked with Enter.
    b.fill("#f-coordinators-q", "tai chinh").await;
    assert_eq!(b.text("#f-coordinators-n").await, "1 đơn vị khớp");
    let visible = b
        .client
        .execute(
            "return [...document.querySelectorAll('#f-coordinators-list label')].filter(l => !l.hidden).length;",
            vec![],
        )
        .await
        .expect("count");
    assert_eq!(visible.as_u64(), Some(1));
    press_enter(&b, "#f-coordinators-q").await;
    assert_eq!(
        b.text("#f-coordinators-n").await,
        "",
        "the filter is emptied"
    );
    b.fill("#f-coordinators-q", "số 250").await;
    press_enter(&b, "#f-coordinators-q").await;
    assert_eq!(
        b.client
            .find(fantoccini::Locator::Css(
                "#f-coordinators-list input[value='P250']"
            ))
            .await
            .expect("P250")
            .prop("checked")
            .await
            .expect("checked")
            .as_deref(),
        Some("true")
    );
    b.click("form.card button[type=submit]").await;
    let path = b
        .wait_path(|p| {
            p.strip_prefix("/tasks/")
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await;
    let (_, t) = app.get_json(&format!("/api/v1{path}")).await;
    let mut picked: Vec<&str> = t["coordinators"]
        .as_array()
        .unwrap_or_else(|| panic!("{t}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    picked.sort();
    assert_eq!(picked, ["P250", "STC"]);
    b.close().await;
}
