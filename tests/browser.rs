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
        assert_eq!(b.path().await, "/dashboard", "{role}");
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
        assert_eq!(b.path().await, "/login");
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
    assert_eq!(b.path().await, "/dashboard");
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
    b.click("a.lang").await;
    assert_eq!(b.html_lang().await, "en");
    assert_eq!(b.text("h1").await, "Sign in");
    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.open("/tasks").await;
    assert_eq!(b.html_lang().await, "en");
    assert_eq!(b.text("h1").await, "Tasks");
    b.click("a.lang").await;
    assert_eq!(b.path().await, "/tasks");
    assert_eq!(b.html_lang().await, "vi");
    assert_eq!(b.text("h1").await, "Nhiệm vụ");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_reads_the_dashboard_and_drills_into_a_unit() {
    let (app, b) = app_and_browser().await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    b.fill("#f-period", "2022-H2").await;
    b.fill("#f-as_of", "").await;
    b.click("form.filters button").await;
    let path = b.wait_path(|p| p.contains("period=2022-H2")).await;
    assert!(path.contains("period=2022-H2"), "{path}");
    let line = b.text(".period-line").await;
    assert!(line.contains("31/12/2022"), "{line}");
    b.click("table.report a[href*='unit=BTGTU'][href*='status=done_on_time']")
        .await;
    let path = b.wait_path(|p| p.starts_with("/tasks?")).await;
    assert!(
        path.contains("status=done_on_time") && path.contains("unit=BTGTU"),
        "{path}"
    );
    let rows = b
        .client
        .find_all(fantoccini::Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert!(!rows.is_empty());
    b.close().await;
}
