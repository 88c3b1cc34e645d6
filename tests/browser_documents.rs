//! An official records meetings from their signed documents in a real headless
//! Chromium: a Word file (built here) and a PDF with a Vietnamese text layer
//! (`tests/fixtures/documents/ket-luan.pdf`, made by `make_pdf.py` beside it).
//! The proposals are reviewed (ticked items removed, a group split by unit),
//! confirmed, and the document is kept with the meeting.

mod common;

use common::browser::Browser;
use common::{Backend, TestApp, PASSWORD};
use dondoc::domain::Role;
use fantoccini::Locator;

/// A .docx whose directives are a Word numbered list (the numbers are not in the text).
fn conclusion_docx() -> Vec<u8> {
    use docx_rs::{
        AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
        NumberingId, Paragraph, Run, Start,
    };
    let para = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let item = |t: &str| para(t).numbering(NumberingId::new(11), IndentLevel::new(0));
    let doc = Docx::new()
        .add_abstract_numbering(AbstractNumbering::new(10).add_level(Level::new(
            0,
            Start::new(1),
            NumberFormat::new("decimal"),
            LevelText::new("%1."),
            LevelJc::new("left"),
        )))
        .add_numbering(Numbering::new(11, 10))
        .add_paragraph(para("Đồng chí Trưởng Ban Tuyên giáo Tỉnh ủy kết luận như sau:"))
        .add_paragraph(item(
            "Văn phòng Tỉnh ủy chủ trì tổng hợp báo cáo sơ kết, hoàn thành trước ngày 30/9/2022.",
        ))
        .add_paragraph(item(
            "Các huyện ủy, thành ủy, thị ủy tổ chức tập huấn nghiệp vụ tuyên giáo trước ngày 15/12/2022.",
        ))
        .add_paragraph(item(
            "Thành ủy Phủ Lý tuyên truyền kỷ niệm ngày tái lập tỉnh trước ngày 31/10/2022.",
        ));
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).expect("docx");
    buf.into_inner()
}

async fn start() -> (TestApp, Browser) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    {
        let mut conn = app.db.conn().expect("conn");
        dondoc::storage::units::upsert_all(&mut conn, &dondoc::demo::units(), None).expect("units");
    }
    let b = Browser::start(&app.base).await;
    b.sign_in(&app.email_of(Role::Official), PASSWORD).await;
    (app, b)
}

/// Opens a new meeting, fills its details, chooses `file` and asks for proposals.
async fn propose_from(b: &Browser, title: &str, file: &std::path::Path) {
    b.open("/meetings/new").await;
    b.fill("#f-title", title).await;
    b.fill("#f-held_on", "15/08/2022").await;
    b.client
        .find(Locator::Css("#f-file"))
        .await
        .expect("file input")
        .send_keys(&file.display().to_string())
        .await
        .expect("choose file");
    b.click("button[value='parse']").await;
    assert!(b.wait_for("fieldset.item").await, "items proposed");
}

async fn value(b: &Browser, css: &str) -> String {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// The proposals' texts, in order.
async fn contents(b: &Browser) -> Vec<String> {
    contents_now(b).await.expect("the proposals")
}

/// The proposals' texts, in order; `None` while an action replaces the
/// page (a field found on the page going may be gone when it is read).
async fn contents_now(b: &Browser) -> Option<Vec<String>> {
    let n = b
        .client
        .find_all(Locator::Css("fieldset.item"))
        .await
        .ok()?
        .len();
    let mut out = Vec::new();
    for i in 0..n {
        let field = b
            .client
            .find(Locator::Css(&format!("#f-content_{i}")))
            .await
            .ok()?;
        out.push(field.prop("value").await.ok()?.unwrap_or_default());
    }
    Some(out)
}

/// The fragment of the page's address (`item-3` after an action on item 3).
async fn fragment(b: &Browser) -> String {
    let url = b.client.current_url().await.expect("url");
    url.fragment().unwrap_or_default().to_string()
}

/// Ticks every proposal whose text has none of `keep`, and removes them at once.
async fn keep_only(b: &Browser, keep: &[&str]) {
    let texts = contents(b).await;
    let mut ticked = 0;
    for (i, t) in texts.iter().enumerate() {
        if !keep.iter().any(|k| t.contains(k)) {
            b.click(&format!("#f-pick_{i}")).await;
            ticked += 1;
        }
    }
    if ticked > 0 {
        b.click("button[value='picked-remove']").await;
        let started = std::time::Instant::now();
        while contents_now(b).await.map(|c| c.len()) != Some(texts.len() - ticked)
            && started.elapsed() < std::time::Duration::from_secs(60)
        {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    assert_eq!(contents(b).await.len(), keep.len(), "{texts:?}");
}

async fn confirm_and_open_meeting(b: &Browser) -> String {
    b.click("button[value='confirm']").await;
    let path = b
        .wait_path(|p| p.starts_with("/meetings/") && !p.starts_with("/meetings/new"))
        .await;
    assert!(
        path.trim_start_matches("/meetings/").parse::<i64>().is_ok(),
        "{path}"
    );
    assert!(b.wait_for("table.tasks tbody tr").await);
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_records_a_meeting_from_a_word_file_and_splits_a_group() {
    let (app, b) = start().await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("Thông báo kết luận.docx");
    std::fs::write(&path, conclusion_docx()).expect("write docx");
    propose_from(&b, "Giao ban tháng 8/2022", &path).await;

    let text = value(&b, "#f-conclusion_text").await;
    assert!(
        text.contains("1. Văn phòng Tỉnh ủy chủ trì") && text.contains("3. Thành ủy Phủ Lý"),
        "the Word numbering is read back as the text's list: {text}"
    );
    assert!(b
        .text(".document-kept")
        .await
        .contains("Thông báo kết luận.docx"));
    keep_only(&b, &["Văn phòng Tỉnh ủy", "huyện ủy", "Thành ủy Phủ Lý"]).await;
    assert_eq!(value(&b, "#f-lead_0").await, "VPTU");
    assert_eq!(value(&b, "#f-deadline_0").await, "30/09/2022");
    assert_eq!(value(&b, "#f-lead_1").await, "", "a group is no lead");
    assert_eq!(value(&b, "#f-lead_2").await, "TUPL");
    assert!(
        b.text("#item-1 .flags")
            .await
            .contains("Chưa có đơn vị chủ trì"),
        "the item is flagged"
    );

    // One task per district committee chosen, in one action; back on that item.
    for code in ["HUKB", "HULN", "HUBL"] {
        b.click(&format!(
            "#item-1 input[name='split_unit_1'][value='{code}']"
        ))
        .await;
    }
    b.click("button[value='split-units:1']").await;
    let started = std::time::Instant::now();
    while contents_now(&b).await.map(|c| c.len()) != Some(5)
        && started.elapsed() < std::time::Duration::from_secs(60)
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(fragment(&b).await, "item-1", "the page returns to the item");
    let leads = [
        value(&b, "#f-lead_1").await,
        value(&b, "#f-lead_2").await,
        value(&b, "#f-lead_3").await,
    ];
    // In the order the units are listed (by code).
    assert_eq!(leads, ["HUBL", "HUKB", "HULN"]);
    assert_eq!(value(&b, "#f-deadline_3").await, "15/12/2022");

    confirm_and_open_meeting(&b).await;
    let rows = b
        .client
        .find_all(Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 5);
    let link = b.text(".meeting-documents a").await;
    assert!(link.contains("Thông báo kết luận.docx"), "{link}");
    let href = b
        .client
        .find(Locator::Css(".meeting-documents a"))
        .await
        .expect("link")
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    b.close().await;
    let (status, _) = app.get_json("/api/v1/tasks?per_page=1").await;
    assert_eq!(status, 200);
    assert!(href.starts_with("/meetings/"), "{href}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_records_a_meeting_from_a_pdf_notice() {
    let (_app, b) = start().await;
    let pdf = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/documents/ket-luan.pdf");
    propose_from(&b, "Giao ban Ban Tuyên giáo tháng 8/2022", &pdf).await;
    let text = value(&b, "#f-conclusion_text").await;
    assert!(text.contains("Huyện ủy Kim Bảng rà soát"), "{text}");
    keep_only(
        &b,
        &[
            "Văn phòng Tỉnh ủy chủ trì",
            "Thành ủy Phủ Lý tổ chức",
            "Huyện ủy Kim Bảng rà soát",
        ],
    )
    .await;
    assert_eq!(value(&b, "#f-lead_0").await, "VPTU");
    assert_eq!(value(&b, "#f-deadline_0").await, "30/09/2022");
    assert_eq!(value(&b, "#f-lead_1").await, "TUPL");
    assert_eq!(value(&b, "#f-lead_2").await, "HUKB");
    assert_eq!(value(&b, "#f-deadline_2").await, "15/11/2022");
    confirm_and_open_meeting(&b).await;
    let rows = b
        .client
        .find_all(Locator::Css("table.tasks tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 3);
    assert!(b
        .text(".meeting-documents a")
        .await
        .contains("ket-luan.pdf"));
    b.close().await;
}
