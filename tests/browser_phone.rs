//! Every page of the page table, for every role, on a phone (390 px, emulated
//! as a phone) and on a desktop (1366 px), in a real headless Chromium: the
//! document is never wider than the screen, no visible text (SVG text as
//! rendered included) is smaller than 11 px, on the phone every control is a
//! thumb-sized target (44 px), and axe-core finds no serious or critical
//! violation. The pages come from `PAGES`, so a page added later is visited
//! too; a page whose path names an id this file has no sample for fails
//! until one is added to [`fill`].

mod common;

use common::browser::{Browser, Screen};
use common::{Backend, TestApp, WebClient, PASSWORD};
use dondoc::domain::Role;
use dondoc::web::access::Access;
use dondoc::web::pages::PAGES;
use reqwest::multipart::{Form, Part};

/// axe-core, vendored (see `tests/vendor/README.md`); injected into each page.
const AXE: &str = include_str!("vendor/axe.min.js");

const SCREENS: [Screen; 2] = [Screen::Phone(390), Screen::Desktop(1366)];

/// The smallest text anyone should have to read, in CSS pixels as rendered.
const MIN_TEXT_PX: f64 = 11.0;
/// The smallest target a thumb hits reliably, in CSS pixels.
const MIN_TAP_PX: f64 = 44.0;

/// Measures the page: how wide the document is, what sticks out past the
/// screen, visible text under the smallest size (SVG text scaled by its
/// transform to the screen), and, when `tap` is given, controls smaller than
/// a thumb. Links inside running text are exempt from the target size, as in
/// WCAG 2.5.8; a link that stands alone (the whole of its list item, cell or
/// paragraph) is a target.
const MEASURE: &str = r#"
const [screenWidth, minText, tap] = arguments;
const describe = (el) => {
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  const cls = el.getAttribute('class');
  if (cls) d += '.' + cls.trim().split(/\s+/).join('.');
  return d;
};
const hidden = (el) => {
  if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return true;
  for (let a = el; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.clip && s.clip !== 'auto') return true;
    if (s.overflow === 'hidden') {
      const r = a.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return true;
    }
  }
  return false;
};
const out = {scrollWidth: document.documentElement.scrollWidth, wide: [], small: [], tiny: []};
const limit = screenWidth + 0.5;
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > limit && !hidden(el)) {
    const parent = el.parentElement;
    const pr = parent ? parent.getBoundingClientRect() : null;
    // Only the outermost offender, not each of its children.
    if (!pr || pr.right <= limit) out.wide.push(describe(el) + ' ends at ' + Math.round(r.right) + 'px');
  }
}
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const text = n.nodeValue.trim();
  const el = n.parentElement;
  if (!text || !el || seen.has(el)) continue;
  if (el.closest('script, style, noscript, template, title, desc, option')) continue;
  seen.add(el);
  const range = document.createRange();
  range.selectNodeContents(n);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  if (!rects.length || hidden(el)) continue;
  let size = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGElement) {
    const ctm = el.getScreenCTM();
    if (ctm) size *= Math.hypot(ctm.a, ctm.b);
  }
  if (size < minText - 0.05) out.small.push(size.toFixed(1) + 'px ' + describe(el) + ' "' + text.slice(0, 40) + '"');
}
if (tap) {
  const targets = new Set(document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, nav a, a.button'));
  for (const a of document.querySelectorAll('li > a, td > a, p > a, dd > a')) {
    if (a.parentElement.textContent.trim() === a.textContent.trim()) targets.add(a);
  }
  for (let el of targets) {
    if (el.matches('input[type=checkbox], input[type=radio]')) el = el.closest('label') || el;
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < tap - 0.5 || r.width < tap - 0.5) {
      out.tiny.push(Math.round(r.width) + '×' + Math.round(r.height) + ' ' + describe(el) + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"');
    }
  }
}
return JSON.stringify(out);
"#;

/// Runs axe-core (already injected) and answers its serious and critical violations.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then((r) => done(JSON.stringify(r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))))
  .catch((e) => done(JSON.stringify(['axe failed: ' + e])));
"#;

/// Ids of demo-like records for the paths that name one.
struct Sample {
    task: i64,
    meeting: i64,
    report: i64,
    extension: i64,
    user: i64,
    /// A mail in the outbox (the recipient reads it in the app; others get a 404 page).
    mail: i64,
    /// A signed report link's token for `task` and the test unit.
    link: String,
}

/// A page's path with its parameters filled from the sample.
fn fill(pattern: &str, s: &Sample) -> String {
    let segments: Vec<&str> = pattern.split('/').collect();
    segments
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            if !seg.starts_with('{') {
                return seg.to_string();
            }
            let before = if i > 0 { segments[i - 1] } else { "" };
            match (before, *seg) {
                ("tasks", "{id}") => s.task.to_string(),
                ("meetings", "{id}") => s.meeting.to_string(),
                ("attachments" | "reports", "{id}") => s.report.to_string(),
                ("extensions", "{id}") => s.extension.to_string(),
                ("users", "{id}") => s.user.to_string(),
                ("mail", "{id}") => s.mail.to_string(),
                // A meeting's document is a download (not walked); a missing one is the 404 page.
                ("documents", "{doc}") => "0".to_string(),
                ("lang", "{code}") => "vi".to_string(),
                _ => panic!(
                    "{pattern}: no sample for {seg} after /{before}/; add one to `fill` in {}",
                    file!()
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// More states of some pages than their bare path shows.
fn variants(pattern: &str, s: &Sample) -> Vec<String> {
    match pattern {
        "/dashboard" => vec!["?period=2022-H2".into(), "?period=2022".into()],
        "/dashboard/print" => vec!["?period=2022-H2".into()],
        "/dashboard/tasks" => vec!["?period=2022-H2&status=overdue".into()],
        "/tasks" => vec!["?mine=1".into(), "?status=overdue&period=2022-H2".into()],
        "/tasks/{id}/report" => vec![format!("?t={}", s.link)],
        _ => vec![],
    }
}

/// A task of the test unit (with a coordinator), open until 2099, as the official makes it.
async fn new_task(app: &TestApp, content: &str) -> i64 {
    let body: serde_json::Value = app
        .client
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&app.tokens[&Role::Official])
        .json(
            &serde_json::json!({"content": content, "lead_unit": common::TEST_UNIT,
            "coordinators": ["VPTU"], "assigned_on": "2026-01-05", "deadline": "2099-12-31"}),
        )
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    body["id"].as_i64().expect("task id")
}

/// Loads the demo and adds what the demo lacks: a report with an attached
/// photo that proposes completion, a pending extension request, a signed link.
async fn sample(app: &TestApp) -> Sample {
    let meeting = {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo").meeting_id
    };
    let task = new_task(
        app,
        "Tổ chức tọa đàm khoa giáo cấp tỉnh về chuyển đổi số trong công tác tuyên giáo",
    )
    .await;
    let other = new_task(app, "Rà soát, bổ sung quy chế làm việc của Ban").await;
    let unit = app.web_as(Role::Unit).await;
    let (_, html) = unit.get(&format!("/tasks/{task}")).await;
    let csrf = common::csrf_in(&html).expect("csrf");
    let form = Form::new()
        .text("percent", "100")
        .text("note", "Đã tổ chức tọa đàm; ảnh biên bản kèm theo.")
        .text("proposes_completion", "1")
        .part(
            "attachment",
            Part::bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).file_name("bien-ban.png"),
        );
    let res = unit
        .client
        .post(format!("{}/tasks/{task}/reports?csrf={csrf}", unit.base))
        .multipart(form)
        .send()
        .await
        .expect("report");
    assert_eq!(
        res.status().as_u16(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{other}/extensions")))
        .bearer_auth(&app.tokens[&Role::Unit])
        .json(&serde_json::json!({"new_deadline": "2100-06-30", "reason": "Chờ ý kiến của Thường trực Tỉnh ủy"}))
        .send()
        .await
        .expect("extension");
    assert!(
        res.status().is_success(),
        "{}",
        res.text().await.unwrap_or_default()
    );
    let mut conn = app.db.conn().expect("conn");
    let report = dondoc::storage::progress::reports(&mut conn, task).expect("reports")[0]
        .stored
        .id;
    let extension =
        dondoc::storage::progress::extensions(&mut conn, other).expect("extensions")[0].id;
    let user = dondoc::storage::users::list_all(&mut conn).expect("users")[0]
        .user
        .id;
    let secret = dondoc::storage::settings::get(&mut conn, "secret_key")
        .expect("setting")
        .expect("secret");
    let unit_id = dondoc::storage::units::by_code(&mut conn, common::TEST_UNIT)
        .expect("unit")
        .id;
    let expires = chrono::Utc::now() + chrono::Duration::days(3);
    let link_id =
        dondoc::storage::report_links::create(&mut conn, task, unit_id, expires.naive_utc())
            .expect("stored link");
    let link = dondoc::mail::link::sign(&secret, link_id, task, unit_id, expires);
    #[derive(diesel::QueryableByName)]
    struct First {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let mail = {
        use diesel::RunQueryDsl;
        // The unit's report and request above queued mails to the office.
        dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(
            "SELECT id FROM mail_outbox ORDER BY id LIMIT 1"
        )
        .get_result::<First>(c))
        .expect("a queued mail")
        .id
    };
    Sample {
        task,
        meeting,
        report,
        extension,
        user,
        mail,
        link,
    }
}

/// The pages a visitor opens: every GET page of the table that `role` may
/// open (the public ones when `None`), with their variants, plus one page
/// the role may not open and one that does not exist. Downloads and
/// redirects are left out (their target is a page of its own).
async fn pages(role: Option<Role>, s: &Sample, web: &WebClient) -> Vec<String> {
    let mut paths = Vec::new();
    let mut forbidden = None;
    for (method, pattern, access) in PAGES {
        if *method != "GET" {
            continue;
        }
        let allowed = match (access, role) {
            (Access::Public, _) => true,
            (Access::Signed(action), Some(role)) => role.may(*action),
            (Access::Signed(_), None) => false,
        };
        let path = fill(pattern, s);
        if !allowed {
            forbidden.get_or_insert(path);
            continue;
        }
        paths.push(path.clone());
        for v in variants(pattern, s) {
            paths.push(format!("{path}{v}"));
        }
    }
    paths.extend(forbidden);
    paths.push("/khong-co-trang-nay".into());
    let mut html = Vec::new();
    for path in paths {
        let res = web
            .client
            .get(format!("{}{path}", web.base))
            .send()
            .await
            .expect("get");
        assert!(
            !res.status().is_server_error(),
            "{path} as {role:?}: {}",
            res.status()
        );
        let is_html = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_html && !res.status().is_redirection() {
            html.push(path);
        }
    }
    html
}

#[derive(serde::Deserialize)]
struct Measured {
    #[serde(rename = "scrollWidth")]
    scroll_width: f64,
    wide: Vec<String>,
    small: Vec<String>,
    tiny: Vec<String>,
}

/// What is wrong with the page open in `b`, one line each.
async fn problems(b: &Browser, screen: Screen, path: &str) -> Vec<String> {
    let phone = matches!(screen, Screen::Phone(_));
    // On a desktop the screen is the window less its scroll bar.
    let width = if phone {
        f64::from(screen.width())
    } else {
        b.client
            .execute("return document.documentElement.clientWidth;", vec![])
            .await
            .expect("clientWidth")
            .as_f64()
            .expect("a width")
    };
    let tap = if phone { MIN_TAP_PX } else { 0.0 };
    let json = b
        .client
        .execute(MEASURE, vec![width.into(), MIN_TEXT_PX.into(), tap.into()])
        .await
        .unwrap_or_else(|e| panic!("{path}: measure: {e}"));
    let m: Measured = serde_json::from_str(json.as_str().expect("json text")).expect("measured");
    let at = format!("{path} at {} px", screen.width());
    let mut out = Vec::new();
    if m.scroll_width > width + 0.5 {
        out.push(format!(
            "{at}: the document is {} px wide: {}",
            m.scroll_width,
            m.wide.join("; ")
        ));
    }
    out.extend(
        m.small
            .iter()
            .map(|s| format!("{at}: text under {MIN_TEXT_PX} px: {s}")),
    );
    out.extend(
        m.tiny
            .iter()
            .map(|s| format!("{at}: target under {MIN_TAP_PX} px: {s}")),
    );
    b.client
        .execute(&format!("{AXE}\nreturn true;"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{path}: inject axe: {e}"));
    let json = b
        .client
        .execute_async(RUN_AXE, vec![])
        .await
        .unwrap_or_else(|e| panic!("{path}: axe: {e}"));
    let violations: Vec<String> =
        serde_json::from_str(json.as_str().expect("json text")).expect("violations");
    out.extend(violations.into_iter().map(|v| format!("{at}: axe {v}")));
    out
}

/// Saves what the page looks like, a screenful at a time (at most four), as
/// `DIR/ROLE-WIDTH-PAGE-N.png`: to look at the layouts by eye.
async fn screenshots(
    b: &Browser,
    screen: Screen,
    role: Option<Role>,
    path: &str,
    dir: &std::path::Path,
) {
    let name: String = path
        .chars()
        .take(60)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let who = role.map_or("guest", |r| r.code());
    let height = b
        .client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    for n in 0..4u32 {
        let top = f64::from(n) * 800.0;
        if n > 0 && top >= height {
            break;
        }
        let _ = b
            .client
            .execute(&format!("window.scrollTo(0, {top});"), vec![])
            .await;
        if let Ok(png) = b.client.screenshot().await {
            let file = dir.join(format!("{who}-{}-{name}-{n}.png", screen.width()));
            std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
    }
    let figures = b
        .client
        .execute("return document.querySelectorAll('figure').length;", vec![])
        .await
        .ok()
        .and_then(|n| n.as_u64())
        .unwrap_or(0);
    for n in 0..figures {
        let _ = b
            .client
            .execute(
                &format!("document.querySelectorAll('figure')[{n}].scrollIntoView();"),
                vec![],
            )
            .await;
        if let Ok(png) = b.client.screenshot().await {
            let file = dir.join(format!("{who}-{}-{name}-figure{n}.png", screen.width()));
            std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
    }
}

/// Visits every page `role` may open (signed out when `None`) on both screens.
async fn walk(app: &TestApp, role: Option<Role>) {
    let s = sample(app).await;
    let web = match role {
        Some(role) => app.web_as(role).await,
        None => WebClient::new(app),
    };
    let paths = pages(role, &s, &web).await;
    assert!(paths.len() >= 2, "{paths:?}");
    let mut found = Vec::new();
    for screen in SCREENS {
        let b = Browser::start_on(&app.base, screen).await;
        if let Some(role) = role {
            b.sign_in(&app.email_of(role), PASSWORD).await;
            assert!(!b.path().await.starts_with("/login"), "{role} signed in");
        }
        for path in &paths {
            b.open(path).await;
            found.extend(problems(&b, screen, path).await);
            if let Ok(dir) = std::env::var("DONDOC_SCREENSHOTS") {
                screenshots(&b, screen, role, path, std::path::Path::new(&dir)).await;
            }
        }
        b.close().await;
    }
    assert!(
        found.is_empty(),
        "{} problem(s) as {role:?}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The unit's day on a phone, with one thumb: its open tasks, a tap anywhere
/// on a task's card, a report with a photo from the camera, completion proposed.
async fn unit_reports_from_a_phone(app: &TestApp) {
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo");
    }
    let task = new_task(app, "Tổ chức hội nghị báo cáo viên quý IV").await;
    let b = Browser::start_on(&app.base, Screen::Phone(390)).await;
    b.sign_in(&app.email_of(Role::Unit), PASSWORD).await;
    b.click(".main-nav a[href='/tasks?mine=1']").await;
    b.wait_path(|p| p == "/tasks?mine=1").await;
    let card = format!("table.tasks tr:has(a[href='/tasks/{task}'])");
    assert!(
        b.wait_for(&card).await,
        "the new task is among the unit's tasks"
    );
    // The whole card is the link: what a thumb hits in the middle of the content opens the task.
    let target = b
        .client
        .execute(
            "const td = document.querySelector(arguments[0] + ' td:nth-child(2)');
             td.scrollIntoView({block: 'center'});
             const r = td.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
             return hit && hit.closest('a') ? hit.closest('a').getAttribute('href') : null;",
            vec![card.clone().into()],
        )
        .await
        .expect("hit test");
    assert_eq!(target.as_str(), Some(format!("/tasks/{task}").as_str()));
    b.click(&format!("{card} a")).await;
    b.wait_path(|p| p == format!("/tasks/{task}")).await;
    let photo = tempfile::Builder::new()
        .suffix(".jpg")
        .tempfile()
        .expect("photo");
    std::fs::write(
        photo.path(),
        b"\xff\xd8\xff\xe0\0\x10JFIF\0anh chup bien ban",
    )
    .expect("write photo");
    let input = b
        .client
        .find(fantoccini::Locator::Css("#f-photo"))
        .await
        .expect("a photo field on a phone");
    assert_eq!(
        input.attr("capture").await.expect("capture").as_deref(),
        Some("environment")
    );
    assert!(
        input.is_displayed().await.expect("displayed"),
        "offered on a phone"
    );
    input
        .send_keys(&photo.path().display().to_string())
        .await
        .expect("photo");
    b.fill("#f-percent", "100").await;
    b.fill("#f-note", "Đã tổ chức xong; ảnh biên bản kèm theo")
        .await;
    b.click("input[name='proposes_completion']").await;
    b.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    assert!(b.wait_for(".flashes").await, "the report is saved");
    let reports = b.text("ol.reports").await;
    assert!(
        reports.contains("Đã tổ chức xong") && reports.contains(".jpg"),
        "{reports}"
    );
    let problems = problems(&b, Screen::Phone(390), "after the report").await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    b.close().await;
}

macro_rules! walks {
    ($($name:ident: $role:expr),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    walk(&TestApp::spawn(Backend::Sqlite).await, $role).await;
                }
            )*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_unit_reports_with_a_photo_from_a_phone() {
                unit_reports_from_a_phone(&TestApp::spawn(Backend::Sqlite).await).await;
            }
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    walk(&TestApp::spawn(Backend::Postgres).await, $role).await;
                }
            )*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_unit_reports_with_a_photo_from_a_phone() {
                unit_reports_from_a_phone(&TestApp::spawn(Backend::Postgres).await).await;
            }
        }
    };
}

walks! {
    signed_out: None,
    admin: Some(Role::Admin),
    official: Some(Role::Official),
    unit: Some(Role::Unit),
    leader: Some(Role::Leader),
}
