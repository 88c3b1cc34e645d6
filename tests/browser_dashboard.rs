//! The review-meeting journey in a real headless Chromium: a leader signs in,
//! switches the dashboard to 2022-H2 (and to how its tasks stand today),
//! drills into one unit's overdue tasks, and downloads the XLSX report, whose
//! totals are read back.

mod common;
mod dashboard_support;

use common::browser::Browser;
use common::{Backend, TestApp, PASSWORD};
use dashboard_support::{num, text, xlsx_counts, xlsx_report, Workbook};
use dondoc::domain::Role;
use fantoccini::Locator;
use std::time::{Duration, Instant};

/// The number shown in the totals card of a label.
async fn total_card(b: &Browser, label: &str) -> u64 {
    let cards = b
        .client
        .find_all(Locator::Css(".totals > div"))
        .await
        .expect("totals");
    for card in cards {
        let t = card.text().await.expect("text");
        if t.lines().next().map(str::trim) == Some(label) {
            return t
                .lines()
                .last()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("a number in {t}"));
        }
    }
    panic!("no totals card {label}");
}

/// The first file that appears in `dir` (a finished download, not a partial one).
async fn downloaded(dir: &std::path::Path) -> std::path::PathBuf {
    let started = Instant::now();
    loop {
        let done = std::fs::read_dir(dir)
            .expect("download dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(p) = done {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no file downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_drills_into_overdue_tasks_and_downloads_the_report() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo");
    }
    let downloads = tempfile::tempdir().expect("download dir");
    let b = Browser::start_downloading(&app.base, downloads.path()).await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    assert_eq!(b.wait_path(|p| p == "/inbox").await, "/inbox");
    b.open("/dashboard").await;

    // Switch to the second half of 2022: its figures at the end of the period.
    b.select("#f-period", "2022-H2").await;
    b.fill("#f-as_of", "").await;
    b.click("form.filters button[type=submit]").await;
    let path = b.wait_path(|p| p.contains("period=2022-H2")).await;
    assert!(path.contains("period=2022-H2"), "{path}");
    let line = b.text(".period-line").await;
    assert!(
        line.contains("01/07/2022") && line.contains("31/12/2022"),
        "{line}"
    );
    assert_eq!(
        total_card(&b, "Quá hạn").await,
        0,
        "nothing was overdue yet on the last day"
    );
    // How the half-year's tasks stand today.
    b.click("ul.as-of-choices li:last-child a").await;
    // The report before held `as_of=2022-12-31`: wait for a later date.
    let path = b
        .wait_path(|p| {
            p.split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("as_of="))
                .is_some_and(|d| d > "2022-12-31")
        })
        .await;
    let as_of = path
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("as_of="))
        .unwrap_or_else(|| panic!("{path}"))
        .to_string();
    assert!(as_of.as_str() > "2022-12-31", "{path}");
    let as_of_vi = format!("{}/{}/{}", &as_of[8..10], &as_of[5..7], &as_of[0..4]);
    assert!(b.text(".period-line").await.contains(&as_of_vi));
    let overdue = total_card(&b, "Quá hạn").await;
    assert!(overdue > 0, "the demo's open tasks are overdue now");

    // Drill into the overdue tasks of the Propaganda Department.
    let cell = b
        .text("#units-table tr[data-unit='BTGTU'] td.n-overdue")
        .await;
    let unit_overdue: usize = cell.trim().parse().expect("a count");
    assert!(unit_overdue > 0);
    let dashboard = b.path().await;
    b.click("#units-table tr[data-unit='BTGTU'] td.n-overdue a")
        .await;
    let path = b.wait_path(|p| p.starts_with("/dashboard/tasks?")).await;
    assert!(
        path.contains("lead_unit=BTGTU")
            && path.contains("status=overdue")
            && path.contains(&format!("as_of={as_of}")),
        "{path}"
    );
    let rows = b
        .client
        .find_all(Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert_eq!(
        rows.len(),
        unit_overdue,
        "as many tasks as the number clicked"
    );
    for row in rows {
        let t = row.text().await.expect("row");
        assert!(t.contains("Quá hạn") && t.contains("BTGTU"), "{t}");
    }

    // The list says what it holds, and leads back to the dashboard as it was.
    let heading = b.text("h1").await;
    assert!(
        heading.contains("6 tháng cuối năm 2022")
            && heading.contains("Ban Tuyên giáo Tỉnh ủy")
            && heading.ends_with(&format!("Quá hạn: {unit_overdue}")),
        "{heading}"
    );
    b.click(".crumbs a.back-link").await;
    assert_eq!(
        b.wait_path(|p| p.starts_with("/dashboard?")).await,
        dashboard
    );
    // Download the report as a workbook and read its totals.
    let total = total_card(&b, "Tổng số").await;
    let done = total_card(&b, "Hoàn thành đúng hạn").await;
    b.click("ul.actions a[href^='/dashboard/export.xlsx']")
        .await;
    let file = downloaded(downloads.path()).await;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    assert_eq!(name, format!("dondoc-bao-cao-2022-H2-{as_of}.xlsx"));
    // The browser writes the file under a temporary name and renames it when complete.
    let bytes = std::fs::read(&file).expect("read the download");
    let book = Workbook::read(bytes);
    let sheet = book.sheet(0);
    assert!(
        text(&sheet[1][0]).contains(&as_of_vi),
        "the as-of date heads the sheet"
    );
    let (units, totals) = xlsx_report(sheet, "Tổng cộng");
    let counts = xlsx_counts(&totals);
    assert_eq!(
        (counts.total, counts.done_on_time, counts.overdue),
        (total, done, overdue)
    );
    let btg = units
        .iter()
        .find(|(code, _)| code == "BTGTU")
        .expect("BTGTU row");
    assert_eq!(num(&btg.1[7]) as usize, unit_overdue);
    b.close().await;
}
