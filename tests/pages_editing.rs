//! Officials' forms over HTTP: a meeting from its concluding text, task edits
//! with versions, cancellation and completion.

mod common;

use common::{csrf_in, TestApp, WebClient};
use dondoc::domain::Role;

/// The form fields of a meeting draft as the page would send them back.
fn draft_form(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let end = rest.find('>').unwrap_or(rest.len() - 1);
        let tag = &rest[..end];
        let after = &rest[end + 1..];
        let name = attr(tag, "name");
        if let Some(name) = name.filter(|n| n != "op") {
            let value = if tag.starts_with("<textarea") {
                after[..after.find("</textarea>").unwrap_or(0)].to_string()
            } else if tag.starts_with("<select") {
                let select = &after[..after.find("</select>").unwrap_or(0)];
                select
                    .split("<option")
                    .find(|o| o.contains(" selected"))
                    .and_then(|o| attr(o, "value"))
                    .unwrap_or_default()
            } else if tag.starts_with("<input")
                && tag.contains("type=\"checkbox\"")
                && !tag.contains(" checked")
            {
                // An unticked box is not sent.
                rest = after;
                continue;
            } else if tag.starts_with("<input") {
                attr(tag, "value").unwrap_or_default()
            } else {
                String::new()
            };
            out.push((name, html_unescape(&value)));
        }
        rest = after;
    }
    out
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn send(
    web: &WebClient,
    fields: &[(String, String)],
    op: &str,
) -> (u16, Option<String>, String) {
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("op", op));
    web.post("/meetings/new", &form).await
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in fields.iter_mut() {
        if k == name {
            *v = value.to_string();
        }
    }
}

async fn tasks_total(app: &TestApp) -> u64 {
    app.get_json("/api/v1/tasks?per_page=1").await.1["total"]
        .as_u64()
        .unwrap_or(0)
}

on_both_backends! {
    async fn a_meeting_from_its_conclusion(app) {
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::units::upsert_all(&mut conn, &dondoc::demo::units(), None).expect("units");
        }
        let web = app.web_as(Role::Official).await;
        let (status, html) = web.get("/meetings/new").await;
        assert_eq!(status, 200);
        // Dates are typed dd/mm/yyyy whatever the browser's language: no native date input.
        assert!(html.contains("id=\"f-held_on\" name=\"held_on\" type=\"text\" inputmode=\"numeric\""), "{html}");
        assert!(!html.contains("type=\"date\""), "{html}");
        let csrf = csrf_in(&html).expect("csrf");
        let base = vec![
            ("csrf".to_string(), csrf.clone()),
            ("items".to_string(), "0".to_string()),
            ("title".to_string(), dondoc::demo::MEETING_TITLE.to_string()),
            ("held_on".to_string(), "07/07/2022".to_string()),
            ("chair".to_string(), "Trưởng Ban".to_string()),
            ("organiser_unit".to_string(), "BTGTU".to_string()),
            ("document_ref".to_string(), String::new()),
        ];
        // Empty and oversized texts are refused with a message; the rest is kept.
        let mut empty = base.clone();
        empty.push(("conclusion_text".into(), "   ".into()));
        let (status, _, html) = send(&web, &empty, "parse").await;
        assert_eq!(status, 422);
        assert!(html.contains("Nội dung kết luận: không được để trống") && html.contains("Trưởng Ban"), "{html}");
        let mut huge = base.clone();
        huge.push(("conclusion_text".into(), "Tổ chức hội nghị. ".repeat(120_000)));
        let (status, _, html) = send(&web, &huge, "parse").await;
        assert_eq!(status, 422);
        assert!(html.contains("quá dài"));

        let mut with_text = base.clone();
        with_text.push(("conclusion_text".into(), dondoc::demo::closing_speech().to_string()));
        let (status, _, html) = send(&web, &with_text, "parse").await;
        assert_eq!(status, 200);
        let mut fields = draft_form(&html);
        let count: usize = fields.iter().find(|(k, _)| k == "items").map(|(_, v)| v.parse().unwrap_or(0)).unwrap_or(0);
        assert!((12..=14).contains(&count), "{count} items");
        assert!(fields.iter().filter(|(k, _)| k.starts_with("deadline_")).all(|(_, v)| v == "31/12/2022"), "{fields:?}");
        assert!(!html.contains("type=\"date\""), "the review table's deadlines too");
        // Coordinators are ticked in each item's unit list, the text's suggestion already ticked.
        assert!(html.contains("<fieldset class=\"field unit-picker\" id=\"f-coord_0\""), "{html}");
        assert!(fields.iter().any(|(k, v)| k.starts_with("coord_") && v == "VPTU"), "Văn phòng Tỉnh ủy coordinates one item: {fields:?}");
        assert!(html.contains("06 tháng cuối năm"), "the phrase a deadline came from is shown");

        // Remove the last item, then break a deadline: nothing is saved and the typed text stays.
        let (status, _, html) = send(&web, &fields, &format!("remove:{}", count - 1)).await;
        assert_eq!(status, 200);
        fields = draft_form(&html);
        set(&mut fields, "deadline_1", "2022-02-31");
        set(&mut fields, "content_0", "Tổ chức quán triệt (đã sửa)");
        let (status, _, html) = send(&web, &fields, "confirm").await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("(mục 2)") && html.contains("Tổ chức quán triệt (đã sửa)"), "{html}");
        assert_eq!(tasks_total(&app).await, 0);
        set(&mut fields, "deadline_1", "2022-11-30");
        let (status, location, _) = send(&web, &fields, "confirm").await;
        assert_eq!(status, 303);
        let location = location.expect("location");
        assert!(location.starts_with("/meetings/"));
        assert_eq!(tasks_total(&app).await, (count - 1) as u64);
        let (_, html) = web.get(&location).await;
        assert!(html.contains("Tổ chức quán triệt (đã sửa)") && html.contains("30/11/2022"));
        assert!(html.contains("Đã lưu cuộc họp"));
        let (status, html) = web.get(&format!("{location}/edit")).await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"f-held_on\" name=\"held_on\" type=\"text\"") && html.contains("value=\"07/07/2022\""), "{html}");
    }

    async fn coordinators_are_ticked_in_a_list_and_kept(app) {
        let web = app.web_as(Role::Official).await;
        let (status, html) = web.get("/tasks/new").await;
        assert_eq!(status, 200);
        assert!(html.contains("<fieldset class=\"field unit-picker\" id=\"f-coordinators\""), "{html}");
        assert!(html.contains("<script src=\"/static/unit-picker.js\" defer></script>"));
        let script = app.client.get(app.url("/static/unit-picker.js")).send().await.expect("script");
        assert_eq!(script.status().as_u16(), 200);
        assert!(script.headers()["content-type"].to_str().unwrap_or("").starts_with("text/javascript"));
        let csrf = csrf_in(&html).expect("csrf");
        let form = |content: &'static str| -> Vec<(&'static str, String)> {
            vec![("csrf", csrf.clone()), ("content", content.into()), ("lead_unit", "BTGTU".into()), ("coordinators", "VPTU".into()), ("coordinators", "TUHN".into()), ("assigned_on", "07/07/2022".into()), ("deadline", "".into()), ("expected_output", "".into())]
        };
        let refs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let bad = refs(&form(""));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, html) = web.post("/tasks/new", &bad).await;
        assert_eq!(status, 422);
        assert!(html.contains("value=\"VPTU\" checked") && html.contains("value=\"TUHN\" checked"), "the ticks are kept: {html}");
        let good = refs(&form("Phối hợp tổ chức hội nghị"));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, location, _) = web.post("/tasks/new", &good).await;
        assert_eq!(status, 303);
        let location = location.expect("location");
        let (_, t) = app.get_json(&format!("/api/v1{location}")).await;
        let mut codes: Vec<&str> = t["coordinators"].as_array().expect("coordinators").iter().filter_map(|c| c.as_str()).collect();
        codes.sort();
        assert_eq!(codes, ["TUHN", "VPTU"]);
        let (_, html) = web.get(&format!("{location}/edit")).await;
        let list = &html[html.find("id=\"f-coordinators-list\"").expect("list")..];
        let first_unticked = list.find("<input type=\"checkbox\" name=\"coordinators\" value=\"BTGTU\">").expect("an unticked box");
        assert!(list.find("value=\"VPTU\" checked").is_some_and(|at| at < first_unticked), "ticked units first: {list}");
    }

    async fn items_are_merged_split_and_added(app) {
        let web = app.web_as(Role::Official).await;
        let (_, html) = web.get("/meetings/new").await;
        let csrf = csrf_in(&html).expect("csrf");
        let form: Vec<(String, String)> = [
            ("csrf", csrf.as_str()), ("items", "2"), ("title", "Họp"), ("held_on", "2022-07-07"), ("organiser_unit", "BTGTU"),
            ("content_0", "Việc một\nViệc hai"), ("lead_0", "BTGTU"), ("coord_0", ""), ("deadline_0", ""),
            ("content_1", "Việc ba"), ("lead_1", "VPTU"), ("coord_1", "TUHN"), ("deadline_1", "2022-12-31"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (_, _, html) = send(&web, &form, "split:0").await;
        let f = draft_form(&html);
        assert_eq!(f.iter().find(|(k, _)| k == "items").map(|(_, v)| v.as_str()), Some("3"));
        let (_, _, html) = send(&web, &f, "merge:1").await;
        let f = draft_form(&html);
        assert_eq!(f.iter().find(|(k, _)| k == "items").map(|(_, v)| v.as_str()), Some("2"));
        assert!(html.contains("Việc hai; Việc ba"), "{html}");
        let (_, _, html) = send(&web, &f, "add").await;
        let f = draft_form(&html);
        assert_eq!(f.iter().find(|(k, _)| k == "items").map(|(_, v)| v.as_str()), Some("3"));
        let (status, _, html) = send(&web, &f, "confirm").await;
        assert_eq!(status, 422, "the added item is empty");
        assert!(html.contains("(mục 3)"));
    }

    async fn a_stale_edit_shows_both_versions_and_keeps_what_was_typed(app) {
        let (_, task) = app.get_json("/api/v1/tasks").await;
        assert_eq!(task["total"], 0);
        let created = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
            .json(&serde_json::json!({"content": "Bản đầu", "lead_unit": "BTGTU", "assigned_on": "2022-07-07", "deadline": "2022-12-31"}))
            .send().await.expect("create").json::<serde_json::Value>().await.expect("json");
        let id = created["id"].as_i64().expect("id");
        let alice = app.web_as(Role::Official).await;
        let bob = app.web_as(Role::Official).await;
        let (_, a_html) = alice.get(&format!("/tasks/{id}/edit")).await;
        let (_, b_html) = bob.get(&format!("/tasks/{id}/edit")).await;
        assert!(a_html.contains("name=\"version\" value=\"1\""));
        let form = |csrf: &str, content: &str| -> Vec<(String, String)> {
            [("csrf", csrf), ("version", "1"), ("content", content), ("lead_unit", "BTGTU"), ("coordinators", "VPTU"), ("assigned_on", "2022-07-07"), ("deadline", "2022-12-31"), ("expected_output", "")]
                .into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let to_refs = |f: &Vec<(String, String)>| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
        let a = to_refs(&form(&csrf_in(&a_html).expect("csrf"), "Bản của Alice"));
        let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, _) = alice.post(&format!("/tasks/{id}/edit"), &a).await;
        assert_eq!(status, 303);
        let b = to_refs(&form(&csrf_in(&b_html).expect("csrf"), "Bản của Bob"));
        let b: Vec<(&str, &str)> = b.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, html) = bob.post(&format!("/tasks/{id}/edit"), &b).await;
        assert_eq!(status, 409);
        assert!(html.contains("Bản của Alice") && html.contains("Bản của Bob"), "both versions are shown");
        assert!(html.contains("name=\"version\" value=\"2\""), "the form now carries the current version");
        let (_, json) = app.get_json(&format!("/api/v1/tasks/{id}")).await;
        assert_eq!(json["content"], "Bản của Alice", "nothing was overwritten");
    }

    async fn cancel_and_complete_from_the_task_page(app) {
        let created = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
            .json(&serde_json::json!({"content": "Việc cần hủy", "lead_unit": "BTGTU", "assigned_on": "2022-07-07", "deadline": "2022-12-31"}))
            .send().await.expect("create").json::<serde_json::Value>().await.expect("json");
        let id = created["id"].as_i64().expect("id");
        let unit = app.web_as(Role::Unit).await;
        let (_, html) = unit.get(&format!("/tasks/{id}")).await;
        assert!(!html.contains("/cancel") && !html.contains("/edit"), "a unit sees no official's action");
        let web = app.web_as(Role::Official).await;
        let (_, html) = web.get(&format!("/tasks/{id}")).await;
        let csrf = csrf_in(&html).expect("csrf");
        let (status, _, html) = web.post(&format!("/tasks/{id}/complete"), &[("csrf", csrf.as_str()), ("completed_on", "2022-07-01")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("trước ngày giao") && html.contains("value=\"01/07/2022\""), "{html}");
        let (status, _, html) = web.post(&format!("/tasks/{id}/cancel"), &[("csrf", csrf.as_str()), ("reason", "  ")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("Lý do: không được để trống"));
        let (status, _, _) = web.post(&format!("/tasks/{id}/cancel"), &[("csrf", csrf.as_str()), ("reason", "Đã gộp vào nhiệm vụ khác")]).await;
        assert_eq!(status, 303);
        let (_, html) = web.get(&format!("/tasks/{id}")).await;
        assert!(html.contains("Đã hủy") && html.contains("Đã gộp vào nhiệm vụ khác") && html.contains("Hủy nhiệm vụ"));
        assert!(!html.contains(&format!("/tasks/{id}/edit")), "no edit of a cancelled task");
    }
}
