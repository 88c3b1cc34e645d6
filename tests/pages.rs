//! Pages over HTTP: sign-in, the role × route table (and the confidential case), CSRF,
//! escaping, throttling.

mod common;

use common::{csrf_in, TestApp, WebClient, PASSWORD};
use dondoc::domain::Role;
use dondoc::web::access::Access;

/// A concrete path for a route pattern, with ids that exist.
fn concrete(pattern: &str) -> String {
    pattern.replace("{id}", "1").replace("{code}", "en")
}

/// What a role gets for a route: allowed (anything but 401/403/404/405) or the refusal code.
fn allowed(status: u16) -> bool {
    !matches!(status, 401 | 403 | 404 | 405) && status < 500
}

async fn seed_ids(app: &TestApp) {
    let mut conn = app.db.conn().expect("conn");
    dondoc::demo::load(&mut conn).expect("demo");
}

on_both_backends! {
    async fn sign_in_and_out(app) {
        let web = WebClient::new(&app);
        let (status, location, _) = web.location(reqwest::Method::GET, "/dashboard", &[]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/login?next=%2Fdashboard")));
        let csrf = web.csrf().await;
        let email = app.email_of(Role::Official);
        let (status, _, body) = web.post("/login", &[("csrf", &csrf), ("email", &email), ("password", "sai-mat-khau"), ("next", "/tasks")]).await;
        assert_eq!(status, 401);
        assert!(body.contains("Thư điện tử hoặc mật khẩu không đúng."), "{body}");
        assert!(body.contains(&format!("value=\"{email}\"")), "the typed email is kept");
        let (status, _, body2) = web.post("/login", &[("csrf", &csrf), ("email", "khong-co@example.vn"), ("password", "sai-mat-khau")]).await;
        assert_eq!(status, 401);
        let message = |b: &str| b.find("login-error").map(|i| b[i..i + 120].to_string());
        assert_eq!(message(&body), message(&body2), "the message never tells which was wrong");
        let (status, location, _) = web.post("/login", &[("csrf", &csrf), ("email", &email.to_uppercase()), ("password", PASSWORD), ("next", "/tasks")]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/tasks")));
        let (status, html) = web.get("/dashboard").await;
        assert_eq!(status, 200);
        assert!(html.contains("Người dùng official"), "the user's name is shown");
        let csrf = csrf_in(&html).expect("csrf");
        let (status, location, _) = web.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/login")));
        let (status, _) = web.get("/dashboard").await;
        assert_eq!(status, 303);
        // An open redirect is not followed.
        let csrf = web.csrf().await;
        let (_, location, _) = web.post("/login", &[("csrf", &csrf), ("email", &email), ("password", PASSWORD), ("next", "//evil.example/")]).await;
        assert_eq!(location.as_deref(), Some("/"), "home, not elsewhere");
    }

    async fn every_route_answers_every_role_as_the_table_says(app) {
        seed_ids(&app).await;
        let mut clients = Vec::new();
        for role in Role::ALL {
            let web = app.web_as(role).await;
            let csrf = web.csrf().await;
            clients.push((Some(role), web, csrf));
        }
        let anonymous = WebClient::new(&app);
        let csrf = anonymous.csrf().await;
        clients.push((None, anonymous, csrf));
        // The API first: the page walk revokes token 1 and changes user 1.
        let mut checked = 0;
        for (method, pattern, access) in dondoc::web::api::ROUTES {
            let path = format!("/api/v1{}", concrete(pattern));
            for role in Role::ALL.map(Some).into_iter().chain([None]) {
                let mut request = app.client.request(method.parse().expect("method"), app.url(&path));
                if let Some(role) = role {
                    request = request.bearer_auth(&app.tokens[&role]);
                }
                let status = request.json(&serde_json::json!({})).send().await.expect("api").status().as_u16();
                match (access, role) {
                    (Access::Public, _) => assert!(allowed(status), "{method} {path} public: {status}"),
                    (Access::Signed(_), None) => assert_eq!(status, 401, "{method} {path} anonymous"),
                    (Access::Signed(action), Some(role)) => {
                        if role.may(*action) {
                            assert!(allowed(status) || status == 404, "{method} {path} as {role}: {status}");
                        } else {
                            assert_eq!(status, 403, "{method} {path} as {role}");
                        }
                    }
                }
                checked += 1;
            }
        }
        for (method, pattern, access) in dondoc::web::pages::PAGES {
            if *pattern == "/logout" || *pattern == "/account/sessions/end" {
                continue; // checked elsewhere; they would end the session here
            }
            for (role, web, csrf) in &clients {
                let path = concrete(pattern);
                let (status, location, _) = web.location(method.parse().expect("method"), &path, &[("csrf", csrf.as_str())]).await;
                match (access, role) {
                    // A public form may still refuse its input (401 for a wrong sign-in).
                    (Access::Public, _) => assert!(!matches!(status, 403..=405) && status < 500, "{method} {path} public: {status}"),
                    (Access::Signed(_), None) => {
                        assert_eq!(status, 303, "{method} {path} anonymous");
                        assert!(location.unwrap_or_default().starts_with("/login"), "{method} {path}");
                    }
                    (Access::Signed(action), Some(role)) => {
                        if role.may(*action) {
                            // 404: allowed, but no such record (ids are guessed here).
                            assert!(allowed(status) || status == 404, "{method} {path} as {role}: {status}");
                        } else {
                            assert_eq!(status, 403, "{method} {path} as {role}");
                        }
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 100);
    }

    async fn forms_need_the_session_token(app) {
        let web = app.web_as(Role::Admin).await;
        let form = [("email", "moi@example.vn"), ("name", "Người mới"), ("role", "leader"), ("unit", ""), ("password", "mat-khau-moi")];
        let (status, _, _) = web.post("/admin/users", &form).await;
        assert_eq!(status, 403);
        let mut wrong = form.to_vec();
        wrong.push(("csrf", "0000"));
        let (status, _, body) = web.post("/admin/users", &wrong).await;
        assert_eq!(status, 403);
        assert!(body.contains("Biểu mẫu đã hết hạn"), "{body}");
        let csrf = web.csrf().await;
        let mut right = form.to_vec();
        right.push(("csrf", &csrf));
        let (status, location, body) = web.post("/admin/users", &right).await;
        assert_eq!((status, location.as_deref()), (303, Some("/admin/users")), "{body}");
        // Another session's token does not work here.
        let other = app.web_as(Role::Admin).await;
        let (status, _, _) = other.post("/admin/users", &right).await;
        assert_eq!(status, 403);
    }

    async fn user_text_is_escaped_everywhere(app) {
        let evil = "<script>alert('x')</script>";
        app.add_units(&[("EVIL", evil, Some("TUHN"))]);
        let web = app.web_as(Role::Admin).await;
        let csrf = web.csrf().await;
        let (status, _, body) = web.post("/admin/users", &[("csrf", csrf.as_str()), ("email", "evil@example.vn"), ("name", evil), ("role", "leader"), ("unit", ""), ("password", "mat-khau-moi")]).await;
        assert_eq!(status, 303, "{body}");
        let (status, _, body) = web.post("/admin/units", &[("csrf", csrf.as_str()), ("code", "<b>"), ("name", evil), ("parent", ""), ("email", ""), ("head_email", ""), ("aliases", evil)]).await;
        assert_eq!(status, 422, "a bad code is refused");
        assert!(!body.contains("<script>alert"), "form values are escaped");
        for path in ["/admin/units", "/admin/users", "/units", "/dashboard", "/tasks?q=%3Cscript%3Ealert(1)%3C/script%3E", "/admin/audit"] {
            let (status, html) = web.get(path).await;
            assert_eq!(status, 200, "{path}");
            assert!(!html.contains("<script"), "{path} holds a live script tag");
        }
        let (_, html) = web.get("/admin/units").await;
        assert!(html.contains("&lt;script&gt;"), "the text is shown, escaped");
    }

    async fn lists_of_statuses_are_read_once_per_value_or_comma_separated(app) {
        let web = app.web_as(Role::Leader).await;
        for path in [
            "/tasks?status=overdue&status=done_late",
            "/dashboard/tasks?period=2022-H2&as_of=2022-12-31&status=overdue&status=done_late",
        ] {
            let (status, html) = web.get(path).await;
            assert_eq!(status, 200, "{path}");
            let comma = path.replace("&status=done_late", ",done_late");
            let (status, same) = web.get(&comma).await;
            assert_eq!(status, 200, "{comma}");
            let heading = |h: &str| h.find("<h1").map(|i| h[i..].split("</p>").next().unwrap_or_default().to_string());
            assert_eq!(heading(&html), heading(&same), "{path}");
        }
        let (status, _) = web.get("/dashboard/tasks?status=overdue&status=nope").await;
        assert_eq!(status, 422, "each value is checked");
    }

    async fn wrong_passwords_are_slowed_then_the_right_one_works(app) {
        let web = WebClient::new(&app);
        let csrf = web.csrf().await;
        let email = app.email_of(Role::Leader);
        let mut refused = 0;
        for _ in 0..20 {
            let (status, _, _) = web.post("/login", &[("csrf", &csrf), ("email", &email), ("password", "doan-bua-di")]).await;
            assert!(status == 401 || status == 429);
            if status == 429 {
                refused += 1;
            }
        }
        assert!(refused >= 10, "attempts after the free ones are refused ({refused})");
        let (status, _, body) = web.post("/login", &[("csrf", &csrf), ("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(status, 429, "even the right password waits");
        assert!(body.contains("phút"), "{body}");
        // Another account from another address is not affected.
        let other = app.web_as(Role::Official).await;
        drop(other);
        // The wait passes.
        {
            use diesel::RunQueryDsl;
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("UPDATE login_buckets SET level = 0").execute(c)).expect("drain");
        }
        let (status, location, _) = web.post("/login", &[("csrf", &csrf), ("email", &email), ("password", PASSWORD), ("next", "/dashboard")]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/dashboard")));
    }

    async fn language_switch_and_error_pages(app) {
        let web = app.web_as(Role::Unit).await;
        let (status, html) = web.get("/admin").await;
        assert_eq!(status, 403);
        assert!(html.contains("lang=\"vi\"") && html.contains("Không được phép"), "{html}");
        let (status, html) = web.get("/khong-co-trang-nay").await;
        assert_eq!(status, 404);
        assert!(html.contains("Không tìm thấy trang"));
        let csrf = web.csrf().await;
        let (status, location, _) = web.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/tasks")]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/tasks")));
        let (_, html) = web.get("/tasks").await;
        assert!(html.contains("<html lang=\"en\">") && html.contains("Tasks"), "{html}");
        let (status, html) = web.get("/admin").await;
        assert_eq!(status, 403);
        assert!(html.contains("Not allowed"));
        // The choice is the user's: a new session starts in English.
        let again = app.web_as(Role::Unit).await;
        let (_, html) = again.get("/dashboard").await;
        assert!(html.contains("<html lang=\"en\">"));
        let (status, _, _) = web.post("/lang/fr", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 404);
    }

    async fn security_headers(app) {
        let res = app.client.get(app.url("/login")).send().await.expect("login");
        let h = res.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        assert!(h.get("referrer-policy").is_some());
        let cookie = h.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_lowercase();
        assert!(cookie.contains("httponly") && cookie.contains("samesite=lax"), "{cookie}");
        let html = res.text().await.expect("html");
        assert!(!html.contains("<script"), "no script on the page");
        assert!(!html.contains("style="), "no inline style");
    }

    async fn the_dashboard_follows_every_change_of_what_it_shows(app) {
        // The report is drawn once for all its readers (src/web/pages/drawn.rs):
        // a change of its units or of its tasks shows on the very next page.
        let leader = app.web_as(Role::Leader).await;
        let row = |html: &str| -> Option<String> {
            let start = html.find("data-unit=\"VELAI\"")?;
            Some(html[start..start + html[start..].find("</tr>")?].to_string())
        };
        let total = |row: &str| -> String {
            let cell = &row[row.find("class=\"n-total\"").expect("total cell")..];
            let shown = &cell[..cell.find("</a>").expect("the count's link")];
            shown[shown.rfind('>').expect("link") + 1..].to_string()
        };
        let (status, html) = leader.get("/dashboard?period=2022-H2").await;
        assert_eq!(status, 200);
        assert!(row(&html).is_none());
        app.add_units(&[("VELAI", "Đơn vị mới lập", Some("TUHN"))]);
        let (_, html) = leader.get("/dashboard?period=2022-H2").await;
        let r = row(&html).expect("the new unit's row");
        assert!(r.contains("Đơn vị mới lập") && total(&r) == "0", "{r}");
        app.add_units(&[("VELAI", "Đơn vị đã đổi tên", Some("TUHN"))]);
        let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
            .json(&serde_json::json!({"content": "Việc của đơn vị mới", "lead_unit": "VELAI", "assigned_on": "2022-07-07"}))
            .send().await.expect("create");
        assert_eq!(res.status().as_u16(), 201);
        let (_, html) = leader.get("/dashboard?period=2022-H2").await;
        let r = row(&html).expect("the unit's row");
        assert!(r.contains("Đơn vị đã đổi tên") && !r.contains("Đơn vị mới lập"), "{r}");
        assert_eq!(total(&r), "1", "{r}");
        // The same report in the other language is drawn in that language.
        let csrf = csrf_in(&html).expect("csrf");
        let (status, _, _) = leader.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/dashboard")]).await;
        assert_eq!(status, 303);
        let (_, html) = leader.get("/dashboard?period=2022-H2").await;
        let r = row(&html).expect("the unit's row in English");
        assert!(r.contains("data-label=\"Total\"") && total(&r) == "1", "{r}");
    }

    async fn admin_manages_users_units_and_tokens(app) {
        let web = app.web_as(Role::Admin).await;
        let csrf = web.csrf().await;
        let (status, _, body) = web.post("/admin/units", &[("csrf", csrf.as_str()), ("code", "SOTC"), ("name", "Sở Tài chính"), ("parent", "TUHN"), ("email", "stc@example.vn"), ("head_email", ""), ("aliases", "STC|Sở TC")]).await;
        assert_eq!(status, 303, "{body}");
        let (status, _, body) = web.post("/admin/units", &[("csrf", csrf.as_str()), ("code", "SOYT"), ("name", ""), ("parent", "NOPE"), ("email", "x@"), ("head_email", ""), ("aliases", "")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("value=\"SOYT\"") && body.contains("value=\"x@\""), "typed values are kept");
        assert!(body.contains("Tên: không được để trống") && body.contains("Thư điện tử"), "{body}");
        // Import a CSV file with a bad row: nothing written, lines named.
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"code,name,parent,email,aliases\nA1,Mot,,,\nB 2,Hai,,,\n".to_vec()).file_name("u.csv"));
        let res = web.client.post(format!("{}/admin/units/import?csrf={csrf}", web.base)).multipart(form).send().await.expect("upload");
        assert_eq!(res.status().as_u16(), 422);
        assert!(res.text().await.unwrap_or_default().contains("Dòng 3"));
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"code,name,parent,email,aliases\nA1,Mot,TUHN,,\n".to_vec()).file_name("u.csv"));
        let res = web.client.post(format!("{}/admin/units/import?csrf={csrf}", web.base)).multipart(form).send().await.expect("upload");
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = web.get("/admin/units").await;
        assert!(html.contains("Sở Tài chính") && html.contains("A1"));

        // A leader makes their own token; the admin sees it and may revoke it.
        let leader_web = app.web_as(Role::Leader).await;
        let leader_csrf = leader_web.csrf().await;
        let (status, _, body) = leader_web.post("/account/tokens", &[("csrf", leader_csrf.as_str()), ("label", "báo cáo")]).await;
        assert_eq!(status, 200);
        let at = body.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
        let token = &body[at..at + body[at..].find('<').expect("end")];
        let res = app.client.get(app.url("/api/v1/units")).bearer_auth(token).send().await.expect("api");
        assert_eq!(res.status().as_u16(), 200);
        let (_, html) = leader_web.get("/account").await;
        assert!(!html.contains(token) && html.contains("báo cáo"), "shown once only");
        let (_, html) = web.get("/admin/tokens").await;
        assert!(!html.contains(token) && html.contains("báo cáo"), "listed for the admin, never shown");
        let id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::users::list_tokens(&mut conn).expect("tokens").into_iter().find(|t| t.label == "báo cáo").expect("token").id
        };
        let (status, _, _) = web.post(&format!("/admin/tokens/{id}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 303);
        let res = app.client.get(app.url("/api/v1/units")).bearer_auth(token).send().await.expect("api");
        assert_eq!(res.status().as_u16(), 401);

        // Deactivate a user: their session and tokens stop working.
        let leader = app.web_as(Role::Leader).await;
        let leader_id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::users::by_email(&mut conn, &app.email_of(Role::Leader)).expect("leader").user.id
        };
        let (status, _, _) = web.post(&format!("/admin/users/{leader_id}"), &[("csrf", csrf.as_str()), ("role", "leader"), ("unit", "")]).await;
        assert_eq!(status, 303);
        let (status, _) = leader.get("/dashboard").await;
        assert_eq!(status, 303);
        let res = app.get("/api/v1/units", Role::Leader).send().await.expect("api");
        assert_eq!(res.status().as_u16(), 401);
        let (_, html) = web.get("/admin/audit?user=").await;
        assert!(html.contains("Sửa tài khoản") && html.contains("Thu hồi mã truy cập"), "the audit log shows the changes");
        let (status, html) = web.get("/admin/audit?from=31/02/2022").await;
        assert_eq!(status, 422);
        assert!(html.contains("31&#x2F;02&#x2F;2022"), "the typed date is kept");
    }

    async fn change_password(app) {
        let web = app.web_as(Role::Official).await;
        let csrf = web.csrf().await;
        let (status, _, body) = web.post("/account/password", &[("csrf", csrf.as_str()), ("current", "sai"), ("new", "ngan"), ("confirm", "khac")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Mật khẩu hiện tại không đúng") && body.contains("ít nhất 8 ký tự"), "{body}");
        let (status, _, _) = web.post("/account/password", &[("csrf", csrf.as_str()), ("current", PASSWORD), ("new", "mat-khau-moi-2"), ("confirm", "mat-khau-moi-2")]).await;
        assert_eq!(status, 303);
        let fresh = WebClient::new(&app);
        fresh.sign_in(&app.email_of(Role::Official), "mat-khau-moi-2").await;
    }
}

/// The secret words of the confidential task and meeting of [`confidential_fixture`].
const SECRET_TASK: &str = "Phương án nhân sự MẬT-4711";
const SECRET_MEETING: &str = "Họp kín MẬT-4712";

/// A confidential task led by VPTU (BTGTU does not take part), and a
/// confidential meeting whose one task VPTU leads; their ids.
async fn confidential_fixture(app: &TestApp) -> (i64, i64, i64) {
    let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
        .json(&serde_json::json!({"content": SECRET_TASK, "lead_unit": "VPTU", "assigned_on": "2022-07-07", "deadline": "2022-12-31", "confidential": true}))
        .send().await.expect("create");
    assert_eq!(res.status().as_u16(), 201);
    let task: serde_json::Value = res.json().await.expect("json");
    assert_eq!(task["confidential"], true);
    let res = app.client.post(app.url("/api/v1/meetings")).bearer_auth(&app.tokens[&Role::Official])
        .json(&serde_json::json!({"title": SECRET_MEETING, "held_on": "2022-07-07", "confidential": true,
            "tasks": [{"content": format!("{SECRET_MEETING}: chuẩn bị"), "lead_unit": "VPTU", "deadline": "2022-12-31"}]}))
        .send().await.expect("meeting");
    assert_eq!(res.status().as_u16(), 201);
    let meeting: serde_json::Value = res.json().await.expect("json");
    assert_eq!(meeting["confidential"], true);
    assert_eq!(
        meeting["tasks"][0]["confidential"], true,
        "a task of a confidential meeting is confidential"
    );
    (
        task["id"].as_i64().expect("id"),
        meeting["id"].as_i64().expect("id"),
        meeting["tasks"][0]["id"].as_i64().expect("id"),
    )
}

fn concrete_for(pattern: &str, task: i64, meeting: i64) -> String {
    let id = if pattern.starts_with("/meetings") {
        meeting
    } else {
        task
    };
    pattern
        .replace("{id}", &id.to_string())
        .replace("{code}", "vi")
}

/// Walks every GET page and API route as `role` (signed in as `web`), with the
/// ids of `task` and `meeting` in the paths, and fails if any answer holds one
/// of `secrets`; how many requests it made.
async fn walk_without_secrets(
    app: &TestApp,
    web: &WebClient,
    role: Role,
    task: i64,
    meeting: i64,
    secrets: &[&str],
) -> usize {
    let mut walked = 0;
    let leaks = |body: &str| {
        secrets
            .iter()
            .find(|s| body.contains(*s))
            .map(|s| s.to_string())
    };
    for (method, pattern, _) in dondoc::web::pages::PAGES {
        if *method != "GET" {
            continue;
        }
        for extra in ["", "?period=2022-H2", "?q=MẬT", "?mine=1"] {
            let path = format!("{}{extra}", concrete_for(pattern, task, meeting));
            let (status, html) = web.get(&path).await;
            assert!(status < 500, "{role} {path}: {status}");
            assert_eq!(leaks(&html), None, "{role} reads it on {path}");
            walked += 1;
        }
    }
    for (method, pattern, _) in dondoc::web::api::ROUTES {
        if *method != "GET" {
            continue;
        }
        for extra in ["", "?period=2022-H2", "?q=MẬT"] {
            let path = format!("/api/v1{}{extra}", concrete_for(pattern, task, meeting));
            let res = app.get(&path, role).send().await.expect("api");
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            assert!(status < 500, "{role} {path}: {status}");
            assert_eq!(leaks(&body), None, "{role} reads it on {path}");
            walked += 1;
        }
    }
    walked
}

/// A user of VPTU (the lead unit of the fixtures' tasks), signed in, and their API token.
async fn vptu_user(app: &TestApp) -> (WebClient, String) {
    let token = {
        let mut conn = app.db.conn().expect("conn");
        let id = dondoc::storage::users::create(
            &mut conn,
            &dondoc::storage::users::NewUser {
                email: "vptu@example.vn".into(),
                name: "Văn phòng".into(),
                role: Role::Unit,
                unit_code: Some("VPTU".into()),
                password_hash: dondoc::auth::hash_password(PASSWORD),
            },
        )
        .expect("user");
        dondoc::storage::users::create_token(&mut conn, id, "test").expect("token")
    };
    let web = WebClient::new(app);
    web.sign_in("vptu@example.vn", PASSWORD).await;
    (web, token)
}

mod confidential {
    use super::*;

    on_both_backends! {
        async fn confidential_tasks_are_hidden_from_every_route_of_other_units(app) {
            let (task, meeting, meeting_task) = confidential_fixture(&app).await;
            let unit = app.web_as(Role::Unit).await; // BTGTU: no part in either
            let admin = app.web_as(Role::Admin).await;
            let mut walked = 0;
            for (who, web, role) in [("unit", &unit, Role::Unit), ("admin", &admin, Role::Admin)] {
                walked += walk_without_secrets(&app, web, role, task, meeting, &[SECRET_TASK, SECRET_MEETING]).await;
                for path in [format!("/tasks/{task}"), format!("/tasks/{meeting_task}"), format!("/meetings/{meeting}")] {
                    assert_eq!(web.get(&path).await.0, 404, "{who} {path}");
                }
                for path in [format!("/api/v1/tasks/{task}"), format!("/api/v1/meetings/{meeting}")] {
                    assert_eq!(app.get(&path, role).send().await.expect("api").status().as_u16(), 404, "{who} {path}");
                }
            }
            assert!(walked > 60);
            // Those who may: officials, leaders, the lead unit's and a coordinator's users.
            let official = app.web_as(Role::Official).await;
            assert!(official.get(&format!("/tasks/{task}")).await.1.contains(SECRET_TASK));
            assert!(official.get(&format!("/meetings/{meeting}")).await.1.contains(SECRET_MEETING));
            let leader = app.web_as(Role::Leader).await;
            assert!(leader.get("/tasks?q=MẬT").await.1.contains(SECRET_TASK));
            let (vptu, _) = vptu_user(&app).await;
            assert!(vptu.get(&format!("/tasks/{task}")).await.1.contains(SECRET_TASK), "the lead unit reads it");
            assert!(vptu.get("/tasks").await.1.contains(SECRET_TASK));
            assert!(vptu.get(&format!("/meetings/{meeting}")).await.1.contains(SECRET_MEETING));
            // Made a coordinator, BTGTU reads the task (and only that one).
            let res = app.client.patch(app.url(&format!("/api/v1/tasks/{task}"))).bearer_auth(&app.tokens[&Role::Official])
                .json(&serde_json::json!({"version": 1, "coordinators": ["BTGTU"]})).send().await.expect("patch");
            assert_eq!(res.status().as_u16(), 200);
            assert!(unit.get(&format!("/tasks/{task}")).await.1.contains(SECRET_TASK));
            assert_eq!(unit.get(&format!("/meetings/{meeting}")).await.0, 404);
            // Not confidential any more: everyone reads it.
            let res = app.client.patch(app.url(&format!("/api/v1/tasks/{task}"))).bearer_auth(&app.tokens[&Role::Official])
                .json(&serde_json::json!({"version": 2, "confidential": false})).send().await.expect("patch");
            assert_eq!(res.status().as_u16(), 200);
            assert!(admin.get(&format!("/tasks/{task}")).await.1.contains(SECRET_TASK));
        }

        async fn the_web_forms_make_meetings_and_tasks_confidential(app) {
            let official = app.web_as(Role::Official).await;
            let csrf = official.csrf().await;
            let id_in = |location: Option<String>, prefix: &str| -> i64 {
                location.as_deref().and_then(|l| l.strip_prefix(prefix)).and_then(|l| l.parse().ok()).expect("id in location")
            };
            // A meeting recorded from its conclusion, ticked "Mật": the box stays ticked through the review.
            let meeting_form = |title: &'static str, content: &'static str, confidential: bool, op: &'static str| {
                let mut form = vec![("csrf", csrf.clone()), ("title", title.to_string()), ("held_on", "2022-07-07".to_string()), ("items", "1".to_string()),
                    ("content_0", content.to_string()), ("lead_0", "VPTU".to_string()), ("deadline_0", "2022-12-31".to_string()), ("op", op.to_string())];
                if confidential {
                    form.push(("confidential", "1".to_string()));
                }
                form
            };
            let as_pairs = |form: &[(&'static str, String)]| form.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
            let form = meeting_form("Họp kín WEBMẬT-51", "WEBMẬT-51: chuẩn bị nhân sự", true, "add");
            let pairs = as_pairs(&form);
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, _, html) = official.post("/meetings/new", &borrowed).await;
            assert_eq!(status, 200, "{html}");
            assert!(html.contains("name=\"confidential\" value=\"1\" checked"), "the review keeps the box ticked");
            let form = meeting_form("Họp kín WEBMẬT-51", "WEBMẬT-51: chuẩn bị nhân sự", true, "confirm");
            let pairs = as_pairs(&form);
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, location, html) = official.post("/meetings/new", &borrowed).await;
            assert_eq!(status, 303, "{html}");
            let secret_meeting = id_in(location, "/meetings/");
            // An open meeting, made confidential on its edit form: its task follows it.
            let form = meeting_form("Họp thường WEBMẬT-52", "WEBMẬT-52: báo cáo quý", false, "confirm");
            let pairs = as_pairs(&form);
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, location, html) = official.post("/meetings/new", &borrowed).await;
            assert_eq!(status, 303, "{html}");
            let open_meeting = id_in(location, "/meetings/");
            let (secret_meeting_task, open_task) = {
                let mut conn = app.db.conn().expect("conn");
                let a = dondoc::storage::meetings::get(&mut conn, secret_meeting).expect("meeting").tasks[0].task.id;
                let b = dondoc::storage::meetings::get(&mut conn, open_meeting).expect("meeting").tasks[0].task.id;
                (a, b)
            };
            let unit = app.web_as(Role::Unit).await; // BTGTU: no part in any of them
            assert_eq!(unit.get(&format!("/tasks/{secret_meeting_task}")).await.0, 404, "a task of a meeting recorded confidential");
            assert!(unit.get(&format!("/tasks/{open_task}")).await.1.contains("WEBMẬT-52"), "open until the meeting is made confidential");
            let (_, html) = official.get(&format!("/meetings/{open_meeting}/edit")).await;
            assert!(html.contains("name=\"confidential\" value=\"1\" aria-describedby"), "offered, not ticked: {html}");
            let (status, location, html) = official.post(&format!("/meetings/{open_meeting}/edit"), &[("csrf", csrf.as_str()), ("title", "Họp thường WEBMẬT-52"), ("held_on", "2022-07-07"), ("confidential", "1")]).await;
            assert_eq!((status, location), (303, Some(format!("/meetings/{open_meeting}"))), "{html}");
            assert_eq!(unit.get(&format!("/tasks/{open_task}")).await.0, 404, "the meeting's task is confidential with it");
            assert_eq!(unit.get(&format!("/meetings/{open_meeting}")).await.0, 404);
            let (_, html) = official.get(&format!("/tasks/{open_task}/edit")).await;
            assert!(html.contains("value=\"1\" checked disabled"), "fixed by its meeting: {html}");
            // A task from the task form.
            let (status, location, html) = official.post("/tasks/new", &[("csrf", csrf.as_str()), ("content", "WEBMẬT-53 phương án nhân sự"), ("lead_unit", "VPTU"), ("coordinators", ""), ("assigned_on", "07/07/2022"), ("deadline", "31/12/2022"), ("expected_output", ""), ("confidential", "1")]).await;
            assert_eq!(status, 303, "{html}");
            let form_task = id_in(location, "/tasks/");
            assert_eq!(unit.get(&format!("/tasks/{form_task}")).await.0, 404);
            // Marked "Mật" wherever those who may read them see them.
            let badge = "class=\"badge confidential\">Mật</span>";
            let (_, html) = official.get("/tasks?q=WEBMẬT").await;
            assert_eq!(html.matches(badge).count(), 3, "{html}");
            for path in [format!("/tasks/{form_task}"), format!("/meetings/{secret_meeting}"), "/meetings".to_string()] {
                let (status, html) = official.get(&path).await;
                assert_eq!(status, 200, "{path}");
                assert!(html.contains(badge), "{path}: {html}");
            }
            let (_, html) = official.get(&format!("/meetings/{secret_meeting}")).await;
            assert_eq!(html.matches(badge).count(), 2, "the meeting and its task");
            // Unticked on the task form, it is open; ticked again, it is not.
            let edit = |version: String, confidential: bool| {
                let mut form = vec![("csrf", csrf.clone()), ("content", "WEBMẬT-53 phương án nhân sự".to_string()), ("lead_unit", "VPTU".to_string()), ("coordinators", String::new()),
                    ("assigned_on", "07/07/2022".to_string()), ("deadline", "31/12/2022".to_string()), ("expected_output", String::new()), ("version", version)];
                if confidential {
                    form.push(("confidential", "1".to_string()));
                }
                form
            };
            let version = |html: &str| {
                let at = html.find("name=\"version\" value=\"").expect("version") + "name=\"version\" value=\"".len();
                html[at..at + html[at..].find('"').expect("end")].to_string()
            };
            let (_, html) = official.get(&format!("/tasks/{form_task}/edit")).await;
            assert!(html.contains("value=\"1\" checked aria-describedby"), "{html}");
            let form = edit(version(&html), false);
            let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(official.post(&format!("/tasks/{form_task}/edit"), &borrowed).await.0, 303);
            assert!(unit.get(&format!("/tasks/{form_task}")).await.1.contains("WEBMẬT-53"), "no longer confidential");
            let (_, html) = official.get(&format!("/tasks/{form_task}/edit")).await;
            let form = edit(version(&html), true);
            let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(official.post(&format!("/tasks/{form_task}/edit"), &borrowed).await.0, 303);
            assert_eq!(unit.get(&format!("/tasks/{form_task}")).await.0, 404, "confidential again");

            // A unit that neither leads nor coordinates them reads them nowhere.
            let walked = walk_without_secrets(&app, &unit, Role::Unit, form_task, open_meeting, &["WEBMẬT"]).await;
            assert!(walked > 60);
            for path in [format!("/tasks/{secret_meeting_task}"), format!("/meetings/{secret_meeting}")] {
                assert_eq!(unit.get(&path).await.0, 404, "{path}");
            }

            // The lead unit reads them, marked, in its inbox too.
            let (vptu, token) = vptu_user(&app).await;
            let (_, html) = vptu.get("/inbox").await;
            assert!(html.contains("WEBMẬT-53") && html.contains(badge), "{html}");
            // What it writes about one travels by mail without content, like the reminders.
            let res = app.client.post(app.url(&format!("/api/v1/tasks/{form_task}/reports"))).bearer_auth(&token)
                .json(&serde_json::json!({"percent": 100, "note": "WEBMẬT-54: đã xong", "proposes_completion": true, "completed_on": "2022-12-01"}))
                .send().await.expect("report");
            assert_eq!(res.status().as_u16(), 201);
            let mailer = {
                let config = common::config_for(&app.test_db, &[]);
                let secret = dondoc::mail::secret_key(&config, &app.db).expect("secret");
                dondoc::mail::Mailer::new(&config, secret).expect("mailer")
            };
            let day = chrono::NaiveDate::from_ymd_opt(2022, 12, 28).expect("date");
            let mut conn = app.db.conn().expect("conn");
            dondoc::mail::planner::queue(&mailer, &mut conn, day, day).expect("reminders");
            let mails: Vec<(String, String, String, String)> = {
                use diesel::prelude::*;
                use dondoc::storage::schema::mail_outbox;
                dondoc::storage::with_conn!(&mut *conn, c => mail_outbox::table
                    .select((mail_outbox::dedup_key, mail_outbox::subject, mail_outbox::body_text, mail_outbox::body_html))
                    .load(c)).expect("outbox")
            };
            assert!(mails.iter().any(|m| m.0.starts_with("event:")), "the proposal was mailed: {mails:?}");
            assert!(mails.iter().any(|m| m.0.starts_with("reminder:")), "reminders were mailed");
            for (key, subject, text, html) in &mails {
                assert!(![subject, text, html].iter().any(|b| b.contains("WEBMẬT")), "{key} carries content: {text}");
            }
            assert!(mails.iter().any(|m| m.2.contains("đăng nhập để xem")), "they say where to read it");
            let vptu_id = dondoc::storage::units::by_code(&mut conn, "VPTU").expect("unit").id;
            let secret = dondoc::storage::calendar::rotate_secret(&mut conn, vptu_id).expect("feed");
            drop(conn);
            let feed = app.client.get(app.url(&format!("/ics/{secret}.ics"))).send().await.expect("feed").text().await.expect("body");
            assert!(feed.starts_with("BEGIN:VCALENDAR") && !feed.contains("WEBMẬT"), "{feed}");
        }

        async fn confidential_tasks_stay_out_of_feeds_and_mails(app) {
            let (task, _, _) = confidential_fixture(&app).await;
            let mut conn = app.db.conn().expect("conn");
            let vptu = dondoc::storage::units::by_code(&mut conn, "VPTU").expect("unit").id;
            let secret = dondoc::storage::calendar::rotate_secret(&mut conn, vptu).expect("feed");
            let day = chrono::NaiveDate::from_ymd_opt(2022, 12, 28).expect("date");
            let snapshot = {
                use dondoc::storage::reminders::ReminderQueries;
                conn.load_snapshot(day).expect("snapshot")
            };
            drop(conn);
            let t = snapshot.tasks.iter().find(|t| t.id == task).expect("the task is reminded");
            assert!(!t.content.contains(SECRET_TASK) && t.content.contains("đăng nhập"), "{}", t.content);
            assert!(snapshot.tasks.iter().all(|t| !t.content.contains(SECRET_MEETING)), "nor the meeting's");
            let body = app.client.get(app.url(&format!("/ics/{secret}.ics"))).send().await.expect("feed").text().await.expect("body");
            assert!(body.starts_with("BEGIN:VCALENDAR"));
            assert!(!body.contains("MẬT-47") && !body.contains(&format!("task-{task}@")), "{body}");
        }

        async fn a_scoped_leader_reads_only_their_scope(app) {
            let (task, meeting, _) = confidential_fixture(&app).await;
            let open = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
                .json(&serde_json::json!({"content": "Việc của Ban Tuyên giáo", "lead_unit": "BTGTU", "assigned_on": "2022-07-07"}))
                .send().await.expect("create").json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id");
            {
                let mut conn = app.db.conn().expect("conn");
                dondoc::storage::users::set_user_scope(&mut conn, &app.email_of(Role::Leader), Some("BTGTU"), None).expect("scope");
            }
            let leader = app.web_as(Role::Leader).await;
            assert_eq!(leader.get(&format!("/tasks/{task}")).await.0, 404, "out of scope");
            assert_eq!(leader.get(&format!("/meetings/{meeting}")).await.0, 404);
            assert_eq!(leader.get(&format!("/tasks/{open}")).await.0, 200);
            let (_, html) = leader.get("/tasks").await;
            assert!(html.contains("Việc của Ban Tuyên giáo") && !html.contains(SECRET_TASK));
            let res = app.get(&format!("/api/v1/tasks/{task}"), Role::Leader).send().await.expect("api");
            assert_eq!(res.status().as_u16(), 404);
            let list: serde_json::Value = app.get("/api/v1/tasks", Role::Leader).send().await.expect("api").json().await.expect("json");
            assert_eq!(list["total"], 1, "{list}");
        }
    }
}
