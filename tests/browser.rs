//! Journeys in a real headless Chromium against the real app.

mod common;

use common::browser::Browser;
use common::{Backend, TestApp, PASSWORD};
use dondoc::domain::Role;

async fn app_and_browser() -> (TestApp, Browser) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo");
    }
    let browser = Browser::start(&app.base).await;
    (app, browser)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_signs_in_and_out() {
    let (app, b) = app_and_browser().await;
    for role in Role::ALL {
        b.sign_in(&app.email_of(role), PASSWORD).await;
        // Each starts on what waits for them; an administrator on the admin pages.
        let home = if role == Role::Admin {
            "/admin"
        } else {
            "/inbox"
        };
        assert_eq!(b.path().await, home, "{role}");
        let who = b.text(".who").await;
        assert!(
            who.contains(&format!("Người dùng {}", role.code())),
            "{who}"
        );
        let nav = b.text(".main-nav").await;
        assert_eq!(
            nav.contains("Quản trị"),
            role == Role::Admin,
            "{role}: {nav}"
        );
        b.click(".who form[action='/logout'] button").await;
        assert_eq!(b.wait_path(|p| p == "/login").await, "/login");
        assert!(b.text(".flashes").await.contains("Đã đăng xuất"));
        b.open("/dashboard").await;
        assert!(
            b.path().await.starts_with("/login?next="),
            "signed out for real"
        );
    }
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_and_the_email_kept() {
    let (app, b) = app_and_browser().await;
    let email = app.email_of(Role::Official);
    b.sign_in(&email, "khong-dung").await;
    assert_eq!(b.path().await, "/login");
    assert_eq!(
        b.text("#login-error").await,
        "Thư điện tử hoặc mật khẩu không đúng."
    );
    let typed = b
        .client
        .find(fantoccini::Locator::Css("#email"))
        .await
        .expect("email")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(typed.as_deref(), Some(email.as_str()));
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    // The click only sends the form: wait for the page it leads to.
    assert_eq!(b.wait_path(|p| p == "/inbox").await, "/inbox");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_page_says_so_in_vietnamese() {
    let (app, b) = app_and_browser().await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    b.open("/admin/users").await;
    assert_eq!(b.text("h1").await, "Không được phép");
    assert_eq!(b.html_lang().await, "vi");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_turns_the_pages_english_and_back() {
    let (app, b) = app_and_browser().await;
    b.open("/login").await;
    assert_eq!(b.html_lang().await, "vi");
    b.click(".lang button").await;
    b.wait_path(|p| p.starts_with("/login")).await;
    assert!(b.wait_for("html[lang='en']").await);
    assert_eq!(b.text("h1").await, "Sign in");
    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.open("/tasks").await;
    assert_eq!(b.html_lang().await, "en");
    assert_eq!(b.text("h1").await, "Tasks");
    b.click(".lang button").await;
    assert!(b.wait_for("html[lang='vi']").await);
    assert_eq!(b.path().await, "/tasks");
    assert_eq!(b.text("h1").await, "Nhiệm vụ");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_reads_the_dashboard_and_drills_into_a_unit() {
    let (app, b) = app_and_browser().await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    b.open("/dashboard").await;
    b.select("#f-period", "2022-H2").await;
    b.fill("#f-as_of", "").await;
    b.click("form.filters button").await;
    let path = b.wait_path(|p| p.contains("period=2022-H2")).await;
    assert!(path.contains("period=2022-H2"), "{path}");
    let line = b.text(".period-line").await;
    assert!(line.contains("31/12/2022"), "{line}");
    b.click("table.report a[href*='unit=BTGTU'][href*='status=done_on_time']")
        .await;
    let path = b.wait_path(|p| p.starts_with("/dashboard/tasks?")).await;
    assert!(
        path.contains("status=done_on_time") && path.contains("lead_unit=BTGTU"),
        "{path}"
    );
    assert!(b.wait_for("table.tasks tbody tr").await);
    let rows = b
        .client
        .find_all(fantoccini::Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert!(!rows.is_empty());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_turns_the_seed_speech_into_tasks() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::storage::units::upsert_all(&mut conn, &dondoc::demo::units(), None).expect("units");
    }
    let b = Browser::start(&app.base).await;
    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    b.open("/meetings").await;
    b.click("a[href='/meetings/new']").await;
    b.wait_path(|p| p == "/meetings/new").await;
    b.fill("#f-title", dondoc::demo::MEETING_TITLE).await;
    // Dates are typed dd/mm/yyyy, whatever the browser's language.
    b.fill("#f-held_on", "07/07/2022").await;
    b.client
        .find(fantoccini::Locator::Css(
            "#f-organiser_unit option[value='BTGTU']",
        ))
        .await
        .expect("option")
        .click()
        .await
        .expect("select");
    b.fill("#f-conclusion_text", dondoc::demo::closing_speech())
        .await;
    b.click("button[value='parse']").await;
    assert!(b.wait_for("fieldset.item").await, "items proposed");
    let items = b
        .client
        .find_all(fantoccini::Locator::Css("fieldset.item"))
        .await
        .expect("items");
    let n = items.len();
    assert!((12..=14).contains(&n), "{n} proposed items");
    // Adjust one item: a new deadline for the first.
    b.fill("#f-deadline_0", "31/10/2022").await;
    b.fill(
        "#f-content_0",
        "Tổ chức quán triệt các nghị quyết, chỉ thị, kết luận mới",
    )
    .await;
    b.click("button[value='confirm']").await;
    let path = b
        .wait_path(|p| {
            // The form's own address, `/meetings/new?csrf=…`, is not the meeting's.
            p.strip_prefix("/meetings/")
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .await;
    assert!(
        path.trim_start_matches("/meetings/").parse::<i64>().is_ok(),
        "{path}"
    );
    assert!(b.wait_for("table.tasks tbody tr").await);
    let rows = b
        .client
        .find_all(fantoccini::Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), n, "every confirmed item is a task");
    let first = b.text("table.tasks tbody tr:first-child").await;
    assert!(
        first.contains("Tổ chức quán triệt các nghị quyết, chỉ thị, kết luận mới")
            && first.contains("31/10/2022"),
        "{first}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_reports_proposes_and_the_office_returns_then_confirms() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let task: serde_json::Value = app
        .client
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&app.tokens[&Role::Official])
        .json(&serde_json::json!({"content": "Tổ chức tọa đàm khoa giáo", "lead_unit": "BTGTU", "assigned_on": "2022-07-07", "deadline": "2022-12-31"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let page = format!("/tasks/{}", task["id"]);
    let scan = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("scan");
    std::fs::write(scan.path(), b"%PDF-1.4 bien ban").expect("write scan");
    let b = Browser::start(&app.base).await;

    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.open(&page).await;
    b.fill("#f-percent", "60").await;
    b.fill("#f-note", "Đã xây dựng xong kế hoạch").await;
    b.client
        .find(fantoccini::Locator::Css("#f-attachment"))
        .await
        .expect("file input")
        .send_keys(&scan.path().display().to_string())
        .await
        .expect("attach");
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    assert!(b.wait_for("ol.reports li").await);
    let report = b.text("ol.reports li").await;
    assert!(
        report.contains("60%") && report.contains("Tải tệp"),
        "{report}"
    );
    b.fill("#f-percent", "100").await;
    b.click("input[name='proposes_completion']").await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    assert!(b.wait_for("li.report.pending").await, "the proposal waits");
    b.click(".who form[action='/logout'] button").await;
    b.wait_path(|p| p == "/login").await;

    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    b.open(&page).await;
    b.fill("#f-return_reason", "Thiếu biên bản tọa đàm").await;
    b.click("form[action^='/reports/'] button").await;
    assert!(b.wait_for(".flashes").await);
    assert!(b
        .text("ol.reports")
        .await
        .contains("Thiếu biên bản tọa đàm"));
    b.click(".who form[action='/logout'] button").await;
    b.wait_path(|p| p == "/login").await;

    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.open(&page).await;
    assert!(
        b.text("ol.reports").await.contains("đã trả lại"),
        "the unit sees the return"
    );
    b.fill("#f-percent", "100").await;
    b.click("input[name='proposes_completion']").await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    assert!(b.wait_for("li.report.pending").await);
    b.click(".who form[action='/logout'] button").await;
    b.wait_path(|p| p == "/login").await;

    // Two clicks from sign-in: the inbox lists the proposal with its confirmation.
    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    assert_eq!(b.path().await, "/inbox");
    assert!(b.text(".main-nav .nav-badge").await.starts_with('1'));
    b.click("#completion_waiting form[action$='/complete?next=/inbox'] button")
        .await;
    assert!(b.wait_for(".flashes").await);
    assert_eq!(b.path().await, "/inbox");
    assert!(b
        .text("#completion_waiting")
        .await
        .contains("Không có đề nghị nào chờ xác nhận."));
    b.open(&page).await;
    let facts = b.text("dl.facts").await;
    assert!(facts.contains("Hoàn thành"), "{facts}");
    b.close().await;
}
