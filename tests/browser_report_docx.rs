//! The Word documents downloaded as a person does, in a real headless
//! Chromium: a leader opens the dashboard of a half-year and clicks the
//! report's button; the saved file is a .docx whose figures are those of
//! `GET /api/v1/dashboard` for the same period. Then the meeting's page and
//! its appendix, whose rows are the meeting's tasks in the API.

mod common;
mod dashboard_support;

use common::browser::Browser;
use common::{Backend, TestApp, PASSWORD};
use dashboard_support::docx::{self, Block};
use dondoc::domain::report::Counts;
use dondoc::domain::Role;
use fantoccini::Locator;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Waits for a finished download with that extension that is not among `seen`
/// (the browser writes `name.crdownload` and renames it when complete).
async fn downloaded(dir: &Path, ext: &str, seen: &[PathBuf]) -> PathBuf {
    let started = Instant::now();
    loop {
        let done = std::fs::read_dir(dir)
            .expect("download dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == ext) && !seen.contains(p));
        if let Some(p) = done {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no .{ext} downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the link of the export list whose text holds `text`, as a person picks it by its words.
async fn click_export(b: &Browser, text: &str) {
    let xpath =
        format!("//ul[contains(@class,'actions')]//a[contains(normalize-space(.), '{text}')]");
    b.client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("a link with {text}: {e}"))
        .click()
        .await
        .expect("click");
}

fn counts_of(v: &serde_json::Value) -> Counts {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    Counts {
        total: n("total"),
        done_on_time: n("done_on_time"),
        done_late: n("done_late"),
        in_progress: n("in_progress"),
        overdue: n("overdue"),
        carried_over: n("carried_over"),
        extended: n("extended"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_downloads_the_word_report_and_a_meetings_appendix() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let meeting = {
        let mut conn = app.db.conn().expect("conn");
        dondoc::demo::load(&mut conn).expect("demo").meeting_id
    };
    let downloads = tempfile::tempdir().expect("download dir");
    let b = Browser::start_downloading(&app.base, downloads.path()).await;
    b.sign_in(&app.email_of(Role::Leader), PASSWORD).await;
    assert!(!b.path().await.starts_with("/login"), "signed in");

    // The half-year as it stands mid-2023: overdue tasks, late completions, extensions.
    let (period, as_of) = ("2022-H2", "2023-06-30");
    b.open(&format!("/dashboard?period={period}&as_of={as_of}"))
        .await;
    assert!(b.text(".period-line").await.contains("30/06/2023"));
    click_export(&b, "(Word)").await;
    let file = downloaded(downloads.path(), "docx", &[]).await;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    assert!(name.ends_with(".docx") && name.contains(period), "{name}");
    let bytes = std::fs::read(&file).expect("read the download");
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip file");

    let (status, api) = app
        .get_json(&format!("/api/v1/dashboard?period={period}&as_of={as_of}"))
        .await;
    assert_eq!(status, 200);
    let want = counts_of(&api["totals"]);
    assert!(want.total > 0 && want.overdue > 0, "{want:?}");
    let blocks = docx::blocks(&bytes);
    let paras = docx::paragraphs(&blocks);
    // The opening sentence holds the API's totals and rates.
    let as_of_date = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("date");
    let sentence = dondoc::domain::report_doc::summary(&want, as_of_date, dondoc::i18n::Lang::Vi);
    assert!(paras.contains(&sentence.as_str()), "{sentence}\n{paras:#?}");
    // The units table's last row: the API's totals, cell by cell.
    let units = docx::table_after(&blocks, "2. ").expect("units table");
    let foot = units.last().expect("totals row");
    assert_eq!(foot[1], "Tổng cộng");
    let cells: Vec<u64> = foot[2..9]
        .iter()
        .map(|c| c.parse().unwrap_or_else(|_| panic!("a number: {c}")))
        .collect();
    assert_eq!(
        cells,
        [
            want.total,
            want.done_on_time,
            want.done_late,
            want.in_progress,
            want.overdue,
            want.carried_over,
            want.extended
        ]
    );
    assert_eq!(
        units.len() - 2,
        api["units"].as_array().expect("units").len(),
        "one row per unit of the API"
    );
    // The overdue list has as many rows as the API counts overdue tasks.
    let overdue = docx::table_after(&blocks, "3. ").expect("overdue list");
    assert_eq!((overdue.len() - 1) as u64, want.overdue);

    // The meeting's page: its appendix as a Word file.
    b.open(&format!("/meetings/{meeting}")).await;
    click_export(&b, "(Word)").await;
    let appendix = downloaded(downloads.path(), "docx", std::slice::from_ref(&file)).await;
    let bytes = std::fs::read(&appendix).expect("read the appendix");
    let (_, m) = app.get_json(&format!("/api/v1/meetings/{meeting}")).await;
    let tasks = m["tasks"].as_array().expect("tasks");
    let blocks = docx::blocks(&bytes);
    let rows = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(r) => Some(r),
            Block::Paragraph(_) => None,
        })
        .expect("the appendix's table");
    assert_eq!(
        rows.len() - 1,
        tasks.len(),
        "one row per task of the meeting"
    );
    for (row, task) in rows[1..].iter().zip(tasks) {
        assert_eq!(row[1], task["content"].as_str().unwrap_or_default());
    }
    b.close().await;
}
