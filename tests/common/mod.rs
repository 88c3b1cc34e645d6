//! Test support: the real app on a free port over a fresh SQLite file or a
//! fresh PostgreSQL database of its own, with one user and token per role.
#![allow(dead_code)]

pub mod browser;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::collections::HashMap;
use std::net::TcpListener;

use dondoc::config::Config;
use dondoc::domain::Role;
use dondoc::storage::{self, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server every PostgreSQL test creates its own database on.
pub fn postgres_admin_url() -> String {
    // Before any connection of the test process: see `storage::init_tls`.
    dondoc::storage::init_tls();
    std::env::var("DONDOC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.path().join("dondoc.db").display()),
                pg_name: None,
                _dir: dir,
            },
            Backend::Postgres => {
                let name = format!("dondoc_test_{}", dondoc::auth::random_secret(8));
                let admin = postgres_admin_url();
                let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} (set DONDOC_TEST_POSTGRES_URL): {e}")
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("admin url");
                url.set_path(&name);
                TestDb {
                    url: url.to_string(),
                    pg_name: Some(name),
                    _dir: dir,
                }
            }
        }
    }

    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = PgConnection::establish(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub fn config_for(db: &TestDb, extra: &[(&str, String)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATABASE_URL".into(), db.url.clone());
    vars.insert("DONDOC_BIND".into(), "127.0.0.1:0".into());
    vars.insert(
        "DONDOC_MAIL_DIR".into(),
        db.dir().join("mail").display().to_string(),
    );
    vars.insert(
        "DONDOC_FILES_DIR".into(),
        db.dir().join("files").display().to_string(),
    );
    for (k, v) in extra {
        vars.insert(k.to_string(), v.clone());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).expect("test config")
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub tokens: HashMap<Role, String>,
    pub backend: Backend,
    pub test_db: TestDb,
    /// The app's export slots, for a test to hold them all.
    pub exports: dondoc::web::stream::ExportSlots,
}

pub const TEST_UNIT: &str = "BTGTU";

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, &[]).await
    }

    /// Like [`TestApp::spawn`], with more settings (`DONDOC_…` variables).
    pub async fn spawn_with(backend: Backend, extra: &[(&str, String)]) -> TestApp {
        let test_db = TestDb::new(backend);
        let config = config_for(&test_db, extra);
        let db = Db::connect(&config.database_url).expect("connect");
        db.migrate().expect("migrate");
        let mut app = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let port = listener.local_addr().expect("addr").port();
            let state = dondoc::cli::app_state(config, db.clone()).expect("state");
            let exports = state.exports.clone();
            let server = dondoc::web::start(state, listener).expect("server");
            tokio::spawn(server);
            TestApp {
                base: format!("http://127.0.0.1:{port}"),
                client: reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("client"),
                db,
                tokens: HashMap::new(),
                backend,
                test_db,
                exports,
            }
        };
        app.add_units(&[
            ("TUHN", "Tỉnh ủy Hà Nam", None),
            (TEST_UNIT, "Ban Tuyên giáo Tỉnh ủy", Some("TUHN")),
            ("VPTU", "Văn phòng Tỉnh ủy", Some("TUHN")),
        ]);
        for role in Role::ALL {
            let token = app.add_user(role);
            app.tokens.insert(role, token);
        }
        app
    }

    pub fn add_units(&self, units: &[(&str, &str, Option<&str>)]) {
        let inputs: Vec<_> = units
            .iter()
            .map(|(code, name, parent)| dondoc::domain::unit::UnitInput {
                code: code.to_string(),
                name: name.to_string(),
                parent: parent.map(str::to_string),
                email: Some(format!("{}@example.vn", code.to_lowercase())),
                head_email: None,
                aliases: vec![],
            })
            .collect();
        let mut conn = self.db.conn().expect("conn");
        storage::units::upsert_all(&mut conn, &inputs, None).expect("units");
    }

    /// Adds a user of that role and returns an API token of theirs.
    pub fn add_user(&self, role: Role) -> String {
        let mut conn = self.db.conn().expect("conn");
        let email = format!(
            "{}-{}@example.vn",
            role.code(),
            dondoc::auth::random_secret(3)
        );
        let id = storage::users::create(
            &mut conn,
            &storage::users::NewUser {
                email,
                name: format!("Người dùng {}", role.code()),
                role,
                unit_code: (role == Role::Unit).then(|| TEST_UNIT.to_string()),
                password_hash: dondoc::auth::hash_password(PASSWORD),
            },
        )
        .expect("user");
        storage::users::create_token(&mut conn, id, "test").expect("token")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str, role: Role) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.tokens[&role])
    }

    /// GET as a leader; the status and the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self.get(path, Role::Leader).send().await.expect("request");
        let status = res.status().as_u16();
        let body = res
            .json::<serde_json::Value>()
            .await
            .unwrap_or(serde_json::Value::Null);
        (status, body)
    }
}

/// Declares each test once and runs it on both backends:
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = common::TestApp::spawn(common::Backend::Sqlite).await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = common::TestApp::spawn(common::Backend::Postgres).await;
                    $body
                }
            )*
        }
    };
}

/// A browser-like client with its own cookie jar.
pub struct WebClient {
    pub client: reqwest::Client,
    pub base: String,
}

pub const PASSWORD: &str = "mat-khau-thu";

impl WebClient {
    pub fn new(app: &TestApp) -> WebClient {
        WebClient {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("get");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }

    pub async fn location(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, Option<String>, String) {
        let res = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        (status, location, res.text().await.unwrap_or_default())
    }

    /// The anti-forgery token of the session, read from a page's form.
    pub async fn csrf(&self) -> String {
        let (_, html) = self.get("/login").await;
        let (_, html) = if html.contains("name=\"csrf\"") {
            (0, html)
        } else {
            self.get("/account/password").await
        };
        csrf_in(&html).expect("csrf token in page")
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
        self.location(reqwest::Method::POST, path, form).await
    }

    /// Signs in; panics unless it works.
    pub async fn sign_in(&self, email: &str, password: &str) {
        let csrf = self.csrf().await;
        let (status, location, body) = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", password),
                    ("next", "/dashboard"),
                ],
            )
            .await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/dashboard")),
            "{body}"
        );
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

impl TestApp {
    /// A progress report with a file, sent through the API as a form by the unit's user:
    /// the status, and the answer's JSON (null when there is none).
    pub async fn report_with_file(
        &self,
        task: i64,
        name: &str,
        bytes: &[u8],
    ) -> (u16, serde_json::Value) {
        let form = reqwest::multipart::Form::new()
            .text("percent", "40")
            .text("note", "Đã dự thảo kế hoạch")
            .part(
                "attachment",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
            );
        let res = self
            .client
            .post(self.url(&format!("/api/v1/tasks/{task}/reports")))
            .bearer_auth(&self.tokens[&Role::Unit])
            .multipart(form)
            .send()
            .await
            .expect("report");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// The email of the user of that role made by [`TestApp::spawn`].
    pub fn email_of(&self, role: Role) -> String {
        let mut conn = self.db.conn().expect("conn");
        let all = storage::users::list_all(&mut conn).expect("users");
        all.into_iter()
            .find(|a| a.role() == role && a.user.email.ends_with("@example.vn"))
            .map(|a| a.user.email)
            .expect("user of role")
    }

    pub async fn web_as(&self, role: Role) -> WebClient {
        let web = WebClient::new(self);
        web.sign_in(&self.email_of(role), PASSWORD).await;
        web
    }
}
