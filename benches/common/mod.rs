//! What the benchmarks share: a database for one run, the configuration, a
//! province's units and generated tasks, a signed-in leader.
#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use dondoc::config::Config;
use dondoc::domain::unit::UnitInput;
use dondoc::domain::Role;
use dondoc::storage::{self, Db};

pub const UNITS: usize = 500;
pub const FILE_ROWS: usize = 100_000;
pub const PASSWORD: &str = "mat-khau-bench";

pub fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A database for one run: SQLite in a temporary folder, or a fresh PostgreSQL database.
pub struct BenchDb {
    pub url: String,
    pg: Option<(String, String)>,
    pub dir: tempfile::TempDir,
}

impl BenchDb {
    pub fn new(backend: &str) -> BenchDb {
        let dir = tempfile::tempdir().expect("temp dir");
        if backend == "postgres" {
            let admin = std::env::var("DONDOC_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!(
                "dondoc_bench_{}",
                dondoc::auth::random_secret(6).to_lowercase()
            );
            let mut conn = PgConnection::establish(&admin).expect("PostgreSQL");
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let mut url = url::Url::parse(&admin).expect("url");
            url.set_path(&name);
            BenchDb {
                url: url.to_string(),
                pg: Some((admin, name)),
                dir,
            }
        } else {
            BenchDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                pg: None,
                dir,
            }
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if std::env::var("DONDOC_BENCH_KEEP").is_ok() {
            eprintln!("kept: {}", self.url);
            std::mem::forget(std::mem::replace(
                &mut self.dir,
                tempfile::tempdir().expect("dir"),
            ));
            return;
        }
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub fn config(db: &BenchDb) -> Config {
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("DATABASE_URL", db.url.clone());
    vars.insert("DONDOC_BIND", "127.0.0.1:0".into());
    vars.insert(
        "DONDOC_MAIL_DIR",
        db.dir.path().join("mail").display().to_string(),
    );
    vars.insert("DONDOC_SECRET_KEY", "k".repeat(64));
    vars.insert("DONDOC_REMINDER_INTERVAL", "0".into());
    Config::from_lookup(|name| vars.get(name).cloned()).expect("config")
}

/// The code of the `i`th unit.
pub fn unit_code(i: usize) -> String {
    format!("DV{i:03}")
}

/// A province's tree of `count` units: the province, up to 24 departments and
/// district committees, and the units under them.
pub fn units(count: usize) -> Vec<UnitInput> {
    let middle = count.saturating_sub(1).min(24);
    (0..count)
        .map(|i| UnitInput {
            code: unit_code(i),
            name: match i {
                0 => "Tỉnh ủy".to_string(),
                i if i <= middle => format!("Ban, sở, huyện ủy số {i}"),
                _ => format!("Đơn vị cơ sở số {i}"),
            },
            parent: match i {
                0 => None,
                i if i <= middle => Some(unit_code(0)),
                _ => Some(unit_code(1 + (i - middle - 1) % middle)),
            },
            email: Some(format!("dv{i:03}@tinh.vn")),
            head_email: None,
            aliases: vec![],
        })
        .collect()
}

/// `n` tasks over `unit_count` units, assigned over the `years` up to `today`,
/// as CSV files of at most [`FILE_ROWS`] rows.
pub fn task_files(n: usize, unit_count: usize, today: NaiveDate, years: i64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(7_072_022);
    let start = today - Duration::days(years * 365);
    let span = (today - start).num_days();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut files = Vec::new();
    let mut csv = String::new();
    for i in 0..n {
        if i % FILE_ROWS == 0 {
            if !csv.is_empty() {
                files.push(std::mem::take(&mut csv));
            }
            csv.push_str("ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\n");
        }
        let assigned = start + Duration::days(rng.gen_range(0..=span));
        let age = (today - assigned).num_days();
        let deadline = rng
            .gen_ratio(9, 10)
            .then(|| assigned + Duration::days(rng.gen_range(15..=180)));
        let original = deadline
            .filter(|_| rng.gen_ratio(1, 10))
            .map(|d| (d - Duration::days(30)).max(assigned));
        // The older a task, the likelier it is finished.
        let finished = match age {
            0..=90 => 35,
            91..=365 => 80,
            _ => 97,
        };
        let roll = rng.gen_range(0..100);
        let latest = today.min(assigned + Duration::days(400));
        let (completed, cancelled) = if roll < finished - 3 {
            let on_time = rng.gen_ratio(2, 3);
            let when = match (deadline, on_time) {
                (Some(d), true) => {
                    assigned + Duration::days(rng.gen_range(0..=(d - assigned).num_days()))
                }
                (Some(d), false) => d + Duration::days(rng.gen_range(1..=90)),
                (None, _) => assigned + Duration::days(rng.gen_range(0..=200)),
            };
            (Some(when.min(latest).max(assigned)), None)
        } else if roll < finished {
            (
                None,
                Some(
                    (assigned + Duration::days(rng.gen_range(0..=120)))
                        .min(latest)
                        .max(assigned),
                ),
            )
        } else {
            (None, None)
        };
        let lead = rng.gen_range(0..unit_count);
        let coordinator = rng
            .gen_ratio(1, 3)
            .then(|| rng.gen_range(0..unit_count))
            .filter(|c| *c != lead)
            .map(unit_code)
            .unwrap_or_default();
        let _ = writeln!(
            csv,
            "B{i:07},\"Nhiệm vụ {i}: triển khai thực hiện kết luận của Thường trực Tỉnh ủy, báo cáo kết quả theo quy định\",{},{coordinator},{},{},{},{},{}",
            unit_code(lead),
            date(assigned),
            deadline.map(date).unwrap_or_default(),
            original.map(date).unwrap_or_default(),
            completed.map(date).unwrap_or_default(),
            cancelled.map(date).unwrap_or_default(),
        );
    }
    if !csv.is_empty() {
        files.push(csv);
    }
    files
}

/// A client signed in as the leader (cookies kept), on the app at `base`.
pub async fn signed_in(base: &str) -> reqwest::Client {
    let web = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    sign_in(&web, base, "lanhdao@tinh.vn", PASSWORD).await;
    web
}

/// Signs `email` in through the sign-in form with `web`, which keeps the cookie.
pub async fn sign_in(web: &reqwest::Client, base: &str, email: &str, password: &str) {
    let login = web
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let csrf = login
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf")
        .to_string();
    let res = web
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status().as_u16(), 303, "{email} signed in");
}

/// Units, a leader whose scope is the whole tree, and `n` tasks over `years`,
/// imported file by file as an office moving over from spreadsheets would;
/// the leader's API token and the import's rows per second.
pub fn seed(db: &Db, backend: &str, n: usize, today: NaiveDate, years: i64) -> (String, f64) {
    let leader_token = {
        let mut conn = db.conn().expect("conn");
        storage::units::upsert_all(&mut conn, &units(UNITS), None).expect("units");
        let id = storage::users::create(
            &mut conn,
            &storage::users::NewUser {
                email: "lanhdao@tinh.vn".into(),
                name: "Lãnh đạo".into(),
                role: Role::Leader,
                unit_code: None,
                password_hash: dondoc::auth::hash_password(PASSWORD),
            },
        )
        .expect("leader");
        storage::users::create_token(&mut conn, id, "bench").expect("token")
    };
    let files = task_files(n, UNITS, today, years);
    let started = Instant::now();
    {
        let mut conn = db.conn().expect("conn");
        for file in &files {
            let counts =
                dondoc::import::import_tasks(&mut conn, file.as_bytes(), None, today, &|_, _| {})
                    .expect("import");
            assert_eq!(counts.unchanged, 0);
        }
    }
    let import_s = started.elapsed().as_secs_f64();
    let rows_per_s = n as f64 / import_s;
    eprintln!("{backend} {n}: imported in {import_s:.1} s ({rows_per_s:.0} rows/s)");
    if backend == "postgres" {
        // What autovacuum does within a minute of a large import: statistics,
        // and the visibility map that lets the report read its indexes only.
        let mut conn = db.conn().expect("conn");
        conn.batch_execute("VACUUM ANALYZE tasks").expect("vacuum");
    }
    (leader_token, rows_per_s)
}

/// The `q` quantile (0 to 1) of durations sorted in ascending order.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// A `dondoc serve` process over a bench's database, on a free port; stopped
/// with SIGTERM when dropped (its last log lines are printed if it failed).
pub struct Served {
    pub child: std::process::Child,
    pub base: String,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Served {
    /// Starts `program serve`; `name` keeps each instance's mail and files
    /// apart when several serve one database.
    pub fn start(program: &str, db: &BenchDb, name: &str) -> Served {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(program)
            .arg("serve")
            .current_dir(db.dir.path())
            .env("DATABASE_URL", &db.url)
            .env("DONDOC_BIND", "127.0.0.1:0")
            .env(
                "DONDOC_MAIL_DIR",
                db.dir.path().join(format!("mail-{name}")),
            )
            .env(
                "DONDOC_FILES_DIR",
                db.dir.path().join(format!("files-{name}")),
            )
            // The same key on every instance: a session begun on one goes on on the other.
            .env("DONDOC_SECRET_KEY", "k".repeat(64))
            .env("DONDOC_REMINDER_INTERVAL", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dondoc serve");
        let stderr = child.stderr.take().expect("stderr");
        let tag = name.to_string();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the log to its end (the access log is on, as in operation), so
        // that the server never blocks on a full pipe; keeps its last lines.
        let log = std::thread::spawn(move || {
            let mut last = std::collections::VecDeque::new();
            let mut told = 0;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // What went wrong, as it happens: the error a client saw has
                // its cause here.
                let wrong = [" ERROR ", " WARN ", "panicked"]
                    .iter()
                    .any(|w| line.contains(w));
                if wrong && told < 50 {
                    told += 1;
                    eprintln!("[{tag}] {line}");
                }
                if let Some(at) = line.find("serving on http://") {
                    let addr: String = line[at + "serving on ".len()..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    let _ = tx.send(addr);
                }
                if last.len() == 20 {
                    last.pop_front();
                }
                last.push_back(line);
            }
            last.into()
        });
        let base = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("instance {name} did not start"));
        Served {
            child,
            base,
            log: Some(log),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait();
        let log = self
            .log
            .take()
            .and_then(|l| l.join().ok())
            .unwrap_or_default();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("{} ended with {status:?}:\n{}", self.base, log.join("\n"));
        }
    }
}

/// The sizes of `DONDOC_BENCH_SIZES` (`100000,1000000` by default; `_` allowed).
pub fn bench_sizes() -> Vec<usize> {
    env_list("DONDOC_BENCH_SIZES", "100000,1000000")
        .iter()
        .map(|s| {
            s.replace('_', "")
                .parse()
                .expect("DONDOC_BENCH_SIZES: numbers")
        })
        .collect()
}
