//! The Word documents over HTTP: the demo's report in the Party layout, the
//! state layout after an admin changes it (and the form's errors), and a
//! meeting's appendix as .docx and .xlsx held against the API's tasks.

mod common;
mod dashboard_support;

use common::TestApp;
use dashboard_support::docx::{self, Block};
use dashboard_support::{text, Workbook};
use dondoc::domain::Role;

fn demo(app: &TestApp) -> i64 {
    let mut conn = app.db.conn().expect("conn");
    dondoc::demo::load(&mut conn).expect("demo").meeting_id
}

/// The text of the heading table (the first block).
fn heading(blocks: &[Block]) -> String {
    match blocks.first() {
        Some(Block::Table(rows)) => rows
            .iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("the document starts with its heading table: {other:?}"),
    }
}

on_both_backends! {
    async fn the_demo_report_is_a_party_document_and_an_admin_can_make_it_a_state_one(app) {
        demo(&app);
        let leader = app.web_as(Role::Leader).await;
        let (_, page) = leader.get("/dashboard?period=2022-H2&as_of=2022-12-31").await;
        assert!(page.contains("report.docx?period=2022-H2&amp;as_of=2022-12-31"), "the button beside the other exports");
        let res = leader.client.get(format!("{}/dashboard/report.docx?period=2022-H2&as_of=2022-12-31", leader.base)).send().await.expect("docx");
        assert_eq!(res.status().as_u16(), 200);
        let disposition = res.headers()["content-disposition"].to_str().unwrap_or("").to_string();
        assert!(disposition.contains("attachment") && disposition.contains(".docx"), "{disposition}");
        let blocks = docx::blocks(&res.bytes().await.expect("body"));
        let head = heading(&blocks);
        for line in ["TỈNH ỦY HÀ NAM", "BAN TUYÊN GIÁO", "*", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số …-BC/BTGTU"] {
            assert!(head.lines().any(|l| l == line), "{line} in {head}");
        }
        assert!(!head.contains("CỘNG HÒA"), "{head}");
        let paras = docx::paragraphs(&blocks);
        for want in ["BÁO CÁO", "Kết quả thực hiện kết luận, chỉ đạo 6 tháng cuối năm 2022", "II. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"] {
            assert!(paras.contains(&want), "{want} in {paras:#?}");
        }
        let (_, api) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-12-31").await;
        let total = api["totals"]["total"].as_u64().expect("total");
        assert!(total > 0);
        assert!(paras.iter().any(|p| p.starts_with(&format!("Tính đến ngày 31/12/2022, tổng số {total} nhiệm vụ"))), "{paras:#?}");
        let sign = match blocks.last() {
            Some(Block::Table(rows)) => rows.iter().flatten().cloned().collect::<Vec<_>>().join("\n"),
            other => panic!("the signature block ends the document: {other:?}"),
        };
        assert!(sign.contains("Nơi nhận:") && sign.contains("- Lưu Văn phòng Ban.") && sign.contains("TRƯỞNG BAN") && sign.contains("Lê Thị Thanh Hà"), "{sign}");

        // The admin page: errors named and what was typed kept; then the state layout.
        let admin = app.web_as(Role::Admin).await;
        let (status, html) = admin.get("/admin/report").await;
        assert_eq!(status, 200);
        assert!(html.contains("value=\"BTGTU\"") && html.contains("value=\"party\" checked"), "the demo's settings are shown");
        let csrf = admin.csrf().await;
        let bad = [("csrf", csrf.as_str()), ("layout", "party"), ("parent_body", "UBND tỉnh Hà Nam"), ("issuer", ""), ("issuer_short", "S N V"), ("place", "Hà Nam"), ("signer_authority", ""), ("signer_title", "Giám đốc"), ("signer_name", ""), ("recipients", "")];
        let (status, _, html) = admin.post("/admin/report", &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains("Cơ quan ban hành: không được để trống") && html.contains("Chữ viết tắt tên cơ quan"), "{html}");
        assert!(html.contains("value=\"UBND tỉnh Hà Nam\""), "what was typed is kept");
        let good = [("csrf", csrf.as_str()), ("layout", "state"), ("parent_body", "UBND tỉnh Hà Nam"), ("issuer", "Sở Nội vụ"), ("issuer_short", "SNV"), ("place", "Hà Nam"), ("signer_authority", "K/T Giám đốc"), ("signer_title", "Phó Giám đốc"), ("signer_name", "Nguyễn Văn A"), ("recipients", "Như trên\nLưu: VT")];
        let (status, location, _) = admin.post("/admin/report", &good).await;
        assert_eq!((status, location.as_deref()), (303, Some("/admin/report")));
        let res = leader.client.get(format!("{}/dashboard/report.docx?period=2022-H2&as_of=2022-12-31", leader.base)).send().await.expect("docx");
        let blocks = docx::blocks(&res.bytes().await.expect("body"));
        let head = heading(&blocks);
        for line in ["UBND TỈNH HÀ NAM", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: …/BC-SNV"] {
            assert!(head.lines().any(|l| l == line), "{line} in {head}");
        }
        let sign = match blocks.last() {
            Some(Block::Table(rows)) => rows.iter().flatten().cloned().collect::<Vec<_>>().join("\n"),
            _ => String::new(),
        };
        assert!(sign.contains("- Như trên;\n- Lưu: VT.") && sign.contains("K/T GIÁM ĐỐC"), "{sign}");

        // In English when the user chose it.
        let csrf = leader.csrf().await;
        leader.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/dashboard")]).await;
        let res = leader.client.get(format!("{}/dashboard/report.docx?period=2022-H2&as_of=2022-12-31", leader.base)).send().await.expect("docx");
        let blocks = docx::blocks(&res.bytes().await.expect("body"));
        let paras = docx::paragraphs(&blocks);
        assert!(paras.iter().any(|p| p.starts_with(&format!("As of 31/12/2022, there are {total} tasks in total"))), "{paras:#?}");
        assert!(heading(&blocks).contains("SOCIALIST REPUBLIC OF VIETNAM"));
    }

    async fn tables_repeat_their_header_on_every_page_and_name_units_first(app) {
        let id = demo(&app);
        let leader = app.web_as(Role::Leader).await;
        let query = "period=2022-H2&as_of=2023-06-30";
        let bytes = leader.client.get(format!("{}/dashboard/report.docx?{query}", leader.base)).send().await.expect("docx").bytes().await.expect("body");
        let tables = docx::row_layouts(&bytes);
        assert!(tables.len() >= 4, "heading, units, a list, signature: {tables:?}");
        let (ruled, layout) = (&tables[1..tables.len() - 1], [&tables[0], &tables[tables.len() - 1]]);
        for rows in layout {
            assert!(rows.iter().all(|r| !r.header), "the heading and the signature repeat nothing: {rows:?}");
        }
        for rows in ruled {
            assert!(rows[0].header, "the header row repeats on every page: {rows:?}");
            assert!(rows[1..].iter().all(|r| !r.header), "only the header row: {rows:?}");
            assert!(rows.iter().all(|r| r.cant_split), "no row is split across pages: {rows:?}");
        }
        // The units table names each unit first, its code second, as the dashboard does.
        let (_, api) = app.get_json(&format!("/api/v1/dashboard?{query}")).await;
        let blocks = docx::blocks(&bytes);
        let units = docx::table_after(&blocks, "2. ").expect("units table");
        let names: Vec<&str> = units[1..units.len() - 1].iter().map(|r| r[1].as_str()).collect();
        let want: Vec<String> = api["units"].as_array().expect("units").iter().map(|u| format!("{} ({})", u["name"].as_str().unwrap_or_default(), u["code"].as_str().unwrap_or_default())).collect();
        assert_eq!(names.len(), want.len());
        for n in &names {
            assert!(want.iter().any(|w| w == n), "{n} is a unit as name (code): {want:?}");
        }
        let overdue = docx::table_after(&blocks, "3. ").expect("the demo has overdue tasks by mid-2023");
        assert!(overdue[1..].iter().all(|r| want.contains(&r[2])), "the lead unit as name (code): {overdue:?}");

        // The appendix: its one table repeats its header too; lead units as name (code).
        let bytes = leader.client.get(format!("{}/meetings/{id}/tasks.docx", leader.base)).send().await.expect("docx").bytes().await.expect("body");
        let tables = docx::row_layouts(&bytes);
        assert_eq!(tables.len(), 1, "{tables:?}");
        assert!(tables[0][0].header && tables[0][1..].iter().all(|r| !r.header && r.cant_split), "{tables:?}");
        let blocks = docx::blocks(&bytes);
        let rows = blocks.iter().find_map(|b| match b { Block::Table(r) => Some(r), _ => None }).expect("the table");
        assert!(rows[1..].iter().all(|r| want.contains(&r[2]) || r[2] == "chưa giao"), "{rows:?}");
    }

    async fn a_meetings_appendix_lists_its_tasks(app) {
        let id = demo(&app);
        let (_, meeting) = app.get_json(&format!("/api/v1/meetings/{id}")).await;
        let want: Vec<&serde_json::Value> = meeting["tasks"].as_array().expect("tasks").iter().collect();
        assert!(want.len() >= 12);
        let web = app.web_as(Role::Unit).await;
        let (_, page) = web.get(&format!("/meetings/{id}")).await;
        assert!(page.contains(&format!("/meetings/{id}/tasks.docx")) && page.contains(&format!("/meetings/{id}/tasks.xlsx")));
        let res = web.client.get(format!("{}/meetings/{id}/tasks.docx", web.base)).send().await.expect("docx");
        assert_eq!(res.status().as_u16(), 200);
        let blocks = docx::blocks(&res.bytes().await.expect("body"));
        let paras = docx::paragraphs(&blocks);
        assert!(paras.contains(&"PHỤ LỤC"), "{paras:#?}");
        assert!(paras.iter().any(|p| p.starts_with("Danh mục nhiệm vụ theo kết luận tại Hội nghị sơ kết")), "{paras:#?}");
        let rows = blocks.iter().find_map(|b| match b { Block::Table(r) => Some(r), _ => None }).expect("the table");
        assert_eq!(rows[0][..3], ["TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì"]);
        assert_eq!(rows.len() - 1, want.len());
        for (i, (row, task)) in rows[1..].iter().zip(&want).enumerate() {
            assert_eq!(row[0], (i + 1).to_string());
            assert_eq!(row[1], task["content"].as_str().unwrap_or_default());
            let deadline = task["deadline"].as_str().map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date").format("%d/%m/%Y").to_string());
            assert!(row[4].starts_with(&deadline.unwrap_or_else(|| "Thường xuyên".into())), "{row:?}");
            // The status as of today, as the API says it.
            let label = match task["status"].as_str() {
                Some("done_on_time") => "Hoàn thành đúng hạn",
                Some("done_late") => "Hoàn thành quá hạn",
                Some("in_progress") => "Đang thực hiện trong hạn",
                Some("overdue") => "Quá hạn",
                _ => "Đã hủy",
            };
            assert_eq!(row[5], label, "{row:?}");
        }
        let res = web.client.get(format!("{}/meetings/{id}/tasks.xlsx", web.base)).send().await.expect("xlsx");
        assert_eq!(res.status().as_u16(), 200);
        let book = Workbook::read(res.bytes().await.expect("body").to_vec());
        let sheet = book.sheet(0);
        let first = sheet.iter().position(|r| text(&r[0]) == "TT").expect("header") + 1;
        assert_eq!(sheet.len() - first, want.len());
        for (row, task) in sheet[first..].iter().zip(&want) {
            assert_eq!(text(&row[1]), task["ref"].as_str().unwrap_or_default());
            assert_eq!(text(&row[2]), task["content"].as_str().unwrap_or_default());
        }
        let (status, _) = web.get("/meetings/999999/tasks.docx").await;
        assert_eq!(status, 404);
    }
}
