//! The `dondoc` binary as a user runs it, on both backends.

mod common;

use common::{Backend, TestDb};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn dondoc(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dondoc"));
    cmd.args(args)
        .current_dir(db.dir())
        .env("DATABASE_URL", &db.url)
        .env("DONDOC_MAIL_DIR", db.dir().join("mail"))
        .env("LANG", "vi_VN.UTF-8")
        .env_remove("DONDOC_BIND")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn dondoc");
    if let Some(mut input) = child.stdin.take() {
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("stdin");
        }
    }
    let out = child.wait_with_output().expect("dondoc output");
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = out.status.signal() {
            panic!(
                "dondoc {args:?} killed by signal {sig}: {}",
                text(&out.stderr)
            );
        }
    }
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn count(db: &TestDb, table: &str) -> i64 {
    let url = dondoc::config::DatabaseUrl::parse(&db.url).expect("url");
    let pool = dondoc::storage::Db::connect(&url).expect("db");
    let mut conn = pool.conn().expect("conn");
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<N>(c))
        .expect("count")
        .n
}

const UNITS_CSV: &str = "code,name,parent,email,aliases,head_email
TUHN,Tỉnh ủy Hà Nam,,tinhuy@hanam.vn,,
BTGTU,Ban Tuyên giáo Tỉnh ủy,TUHN,btg@hanam.vn,BTG Tỉnh ủy|Ban Tuyên giáo,truongban@hanam.vn
VPTU,Văn phòng Tỉnh ủy,TUHN,vp@hanam.vn,,
";

const TASKS_CSV: &str = "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on
A1,\"Tổ chức hội nghị; quán triệt \"\"Nghị quyết\"\"\",BTGTU,VPTU,07/07/2022,31/12/2022,,,
A2,Ban hành quy chế,VPTU,,2022-07-07,2022-12-31,2022-09-30,2022-12-01,
A3,Tuyên truyền thường xuyên,BTGTU,,2022-07-07,,,,
";

fn write(db: &TestDb, name: &str, content: &str) -> String {
    let path = db.dir().join(name);
    std::fs::write(&path, content).expect("write csv");
    path.display().to_string()
}

fn for_both(test: impl Fn(&TestDb)) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend);
        test(&db);
    }
}

#[test]
fn a_bad_variable_stops_the_start_with_one_line() {
    let db = TestDb::new(Backend::Sqlite);
    for (var, value) in [
        ("DONDOC_BIND", "nowhere"),
        ("DONDOC_TZ", "Asia/Hanoi_City"),
        ("SMTP_URL", "mail.example.vn"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dondoc"))
            .arg("migrate")
            .current_dir(db.dir())
            .env(var, value)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = text(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{var}={value}: {err}");
        assert!(lines[0].starts_with(&format!("dondoc: {var}:")), "{err}");
    }
}

#[test]
fn migrate_and_demo_are_idempotent() {
    for_both(|db| {
        let out = dondoc(db, &["migrate"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let first = dondoc(db, &["demo"], None);
        assert!(first.status.success(), "{}", text(&first.stderr));
        let stdout = text(&first.stdout);
        assert!(stdout.contains("quantri@dondoc.local"), "{stdout}");
        let tasks = count(db, "tasks");
        // 13 (±1) directives, of which 3 go to each of the 6 district boards: 10 + 18.
        assert!((27..=29).contains(&tasks), "{tasks} tasks");
        let (units, users, audit) = (
            count(db, "units"),
            count(db, "users"),
            count(db, "audit_log"),
        );
        let second = dondoc(db, &["demo"], None);
        assert!(second.status.success());
        assert_eq!(
            (
                count(db, "tasks"),
                count(db, "units"),
                count(db, "users"),
                count(db, "meetings")
            ),
            (tasks, units, users, 1)
        );
        assert_eq!(count(db, "audit_log"), audit, "a second run writes nothing");
    });
}

#[test]
fn users_and_tokens() {
    for_both(|db| {
        assert!(dondoc(
            db,
            &["unit", "import", &write(db, "units.csv", UNITS_CSV)],
            None
        )
        .status
        .success());
        let out = dondoc(
            db,
            &[
                "user",
                "add",
                "--email",
                "CV@Hanam.vn",
                "--name",
                "Chuyên viên",
                "--role",
                "official",
                "--password-stdin",
            ],
            Some("mat-khau-dai\n"),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = dondoc(
            db,
            &[
                "user",
                "add",
                "--email",
                "cv@hanam.vn",
                "--name",
                "Lần hai",
                "--role",
                "official",
                "--password-stdin",
            ],
            Some("mat-khau-dai\n"),
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("Thư điện tử"),
            "{}",
            text(&out.stderr)
        );
        let out = dondoc(
            db,
            &[
                "user",
                "add",
                "--email",
                "dv@hanam.vn",
                "--name",
                "Đơn vị",
                "--role",
                "unit",
                "--password-stdin",
            ],
            Some("mat-khau-dai\n"),
        );
        assert_eq!(out.status.code(), Some(1), "a unit user needs a unit");
        let out = dondoc(
            db,
            &[
                "user",
                "add",
                "--email",
                "dv@hanam.vn",
                "--name",
                "Đơn vị",
                "--role",
                "unit",
                "--unit",
                "BTGTU",
                "--password-stdin",
            ],
            Some("short\n"),
        );
        assert_eq!(out.status.code(), Some(1), "short password");
        let out = dondoc(db, &["token", "create", "--email", "cv@hanam.vn"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let last = stdout.lines().last().unwrap_or("");
        assert!(last.starts_with("ddk_") && last.len() > 40, "{stdout}");
        let out = dondoc(db, &["token", "create", "--email", "nobody@hanam.vn"], None);
        assert_eq!(out.status.code(), Some(1));
    });
}

#[test]
fn unit_import_checks_every_row_and_is_idempotent() {
    for_both(|db| {
        let file = write(db, "units.csv", UNITS_CSV);
        let out = dondoc(db, &["unit", "import", &file], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("3 units read, 3 added or changed"),
            "{}",
            text(&out.stdout)
        );
        let audit = count(db, "audit_log");
        let again = dondoc(db, &["unit", "import", &file], None);
        assert!(
            text(&again.stdout).contains("0 added or changed"),
            "{}",
            text(&again.stdout)
        );
        assert_eq!(count(db, "audit_log"), audit);

        let bad = write(
            db,
            "bad.csv",
            "code,name,parent,email,aliases
NEW1,Đơn vị mới,TUHN,new@hanam.vn,
BAD CODE,Tên,TUHN,x@hanam.vn,
NEW2,,NOPE,not-an-email,
NEW1,Trùng mã,,,
",
        );
        let out = dondoc(db, &["unit", "import", &bad], None);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(
            err.contains("line 3:") && err.contains("line 4:") && err.contains("line 5:"),
            "{err}"
        );
        assert!(!err.contains("line 2:"), "{err}");
        assert!(err.contains("Thư điện tử") && err.contains("NOPE"), "{err}");
        assert_eq!(count(db, "units"), 3, "nothing of a bad file is written");

        let out = dondoc(
            db,
            &["unit", "import", &write(db, "cols.csv", "code,name\nA,B\n")],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("parent"),
            "{}",
            text(&out.stderr)
        );
        let out = dondoc(db, &["unit", "import", "/nonexistent.csv"], None);
        assert_eq!(out.status.code(), Some(1));
    });
}

#[test]
fn task_import_checks_every_row_and_is_idempotent() {
    for_both(|db| {
        assert!(dondoc(
            db,
            &["unit", "import", &write(db, "units.csv", UNITS_CSV)],
            None
        )
        .status
        .success());
        let file = write(db, "tasks.csv", TASKS_CSV);
        let out = dondoc(db, &["task", "import", &file], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("3 added, 0 updated, 0 unchanged"),
            "{}",
            text(&out.stdout)
        );
        let again = dondoc(db, &["task", "import", &file], None);
        assert!(
            text(&again.stdout).contains("0 added, 0 updated, 3 unchanged"),
            "{}",
            text(&again.stdout)
        );
        assert_eq!(count(db, "task_coordinators"), 1);

        let changed = TASKS_CSV.replace(
            "A3,Tuyên truyền thường xuyên,BTGTU,,",
            "A3,Tuyên truyền thường xuyên,BTGTU,VPTU,",
        );
        let out = dondoc(
            db,
            &["task", "import", &write(db, "changed.csv", &changed)],
            None,
        );
        assert!(
            text(&out.stdout).contains("0 added, 1 updated, 2 unchanged"),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(count(db, "task_coordinators"), 2);

        let bad = write(db, "bad.csv", "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on
B1,Việc tốt,BTGTU,,2022-07-07,2022-12-31,,,
B2,Ngày sai,BTGTU,,2022-07-07,31/02/2022,,,
B3,,NOPE,VPTU,2022-07-07,,,,
B4,Xong trước khi giao,BTGTU,,2022-07-07,,,2022-07-01,
B1,Trùng số hiệu,BTGTU,,2022-07-07,,,,
B6,Chủ trì cũng phối hợp,BTGTU,BTGTU,2022-07-07,,,,
");
        let out = dondoc(db, &["task", "import", &bad], None);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        for line in 3..=7 {
            assert!(err.contains(&format!("line {line}:")), "line {line}: {err}");
        }
        assert!(
            err.contains("31/02/2022") && err.contains("Thời hạn"),
            "{err}"
        );
        assert_eq!(count(db, "tasks"), 3, "nothing of a bad file is written");

        let ragged = write(db, "ragged.csv", "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\nC1,x,BTGTU\n");
        let out = dondoc(db, &["task", "import", &ragged], None);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("line 2"),
            "{}",
            text(&out.stderr)
        );
    });
}

/// Runs `args` `times` times; `dondoc()` fails the test on any exit by a signal.
fn repeat(db: &TestDb, times: usize, args: &[&str], stdin: Option<&str>) {
    for run in 0..times {
        let out = dondoc(db, args, stdin);
        assert!(
            out.status.success(),
            "dondoc {args:?} failed on run {run}: {}",
            text(&out.stderr)
        );
    }
}

/// On PostgreSQL, the pool opens connections on worker threads and libpq's TLS
/// runs on OpenSSL: a connection still being opened while the process exits
/// used to crash it (SIGSEGV in OpenSSL's exit-time cleanup, about one `remind`
/// in six). Every command, run many times, ends by returning, never by a signal.
/// The URL asks for TLS whenever the server offers it, as a remote server's
/// would (on the loopback interface dondoc otherwise connects without it).
#[test]
fn commands_never_end_by_a_signal_on_postgres() {
    let mut db = TestDb::new(Backend::Postgres);
    db.url = format!("{}?sslmode=prefer", db.url);
    repeat(&db, 1, &["demo"], None);
    let tasks = write(&db, "tasks.csv", TASKS_CSV);
    let units = write(&db, "units.csv", UNITS_CSV);
    repeat(&db, 40, &["remind", "--at", "2022-12-28"], None);
    repeat(&db, 5, &["remind", "--at", "2022-12-28", "--flush"], None);
    repeat(&db, 5, &["migrate"], None);
    repeat(&db, 5, &["unit", "import", &units], None);
    repeat(&db, 5, &["task", "import", &tasks], None);
    repeat(&db, 3, &["demo"], None);
    repeat(
        &db,
        5,
        &["token", "create", "--email", "chuyenvien@dondoc.local"],
        None,
    );
    for run in 0..5 {
        serve_then_terminate(&db, run);
    }
}

/// Starts `serve`, waits until it listens and has used the pool, then stops it
/// with SIGTERM: it must exit by itself, not by a signal.
fn serve_then_terminate(db: &TestDb, run: usize) {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .arg("serve")
        .current_dir(db.dir())
        .env("DATABASE_URL", &db.url)
        .env("DONDOC_BIND", "127.0.0.1:0")
        .env("DONDOC_MAIL_DIR", db.dir().join("mail"))
        .env("DONDOC_REMINDER_INTERVAL", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads the log to its end, so that the server never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("serving on") {
                let _ = tx.send(());
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    let started = rx.recv_timeout(Duration::from_secs(60)).is_ok();
    // One reminder round uses the pool while the server runs.
    std::thread::sleep(Duration::from_millis(1500));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if stopping.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = reader.join().unwrap_or_default();
    assert!(started, "serve run {run} did not start\n{log}");
    let status = status.unwrap_or_else(|| panic!("serve run {run} ignored SIGTERM\n{log}"));
    assert_eq!(
        status.signal(),
        None,
        "serve run {run} ended by a signal\n{log}"
    );
    assert!(status.success(), "serve run {run}: {status}\n{log}");
}

/// The access log names each request's method and path, never its query
/// string, where report-link tokens and anti-forgery tokens travel.
#[test]
fn the_access_log_keeps_query_strings_out() {
    use std::io::{BufRead, BufReader, Read};
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;
    let db = TestDb::new(Backend::Sqlite);
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .arg("serve")
        .current_dir(db.dir())
        .env("DATABASE_URL", &db.url)
        .env("DONDOC_BIND", format!("127.0.0.1:{port}"))
        .env("DONDOC_MAIL_DIR", db.dir().join("mail"))
        .env("DONDOC_REMINDER_INTERVAL", "0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = String::new();
    // Reads the log until a line holds `needle` (or the server stops talking).
    let mut wait_for = |needle: &str| -> bool {
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            log.push_str(&line);
            log.push('\n');
            if line.contains(needle) {
                return true;
            }
        }
        false
    };
    let started = wait_for("serving on");
    let answered = started && {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(
                b"GET /tasks/1/report?t=TOKEN-SECRET-4711&csrf=CSRF-SECRET-4712 HTTP/1.1\r\n\
                  Host: localhost\r\nConnection: close\r\n\r\n",
            )
            .expect("request");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 401")
    };
    let logged = answered && wait_for("/tasks/1/report");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let _ = reader.join();
    while let Ok(line) = rx.try_recv() {
        log.push_str(&line);
        log.push('\n');
    }
    assert!(started && answered && logged, "{log}");
    assert!(
        !log.contains("SECRET-47"),
        "a query string reached the log:\n{log}"
    );
}

/// The keys of the rows the writer wrote into a database (by its URL).
fn load_keys(url: &str) -> std::collections::HashSet<String> {
    let url = dondoc::config::DatabaseUrl::parse(url).expect("url");
    let db = dondoc::storage::Db::connect(&url).expect("db");
    let mut conn = db.conn().expect("conn");
    #[derive(diesel::QueryableByName)]
    struct K {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
    }
    use diesel::RunQueryDsl;
    dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("SELECT key FROM settings WHERE key LIKE 'load:%'").load::<K>(c))
        .expect("keys")
        .into_iter()
        .map(|k| k.key)
        .collect()
}

/// `backup` while another process writes: the copy opens as a database, holds
/// every write acknowledged before the backup began, and is private; a second
/// backup never overwrites the first.
#[test]
fn a_backup_taken_under_write_load_restores_every_acknowledged_write() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    for_both(|db| {
        assert!(dondoc(db, &["migrate"], None).status.success());
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (acked, stop, url) = (acked.clone(), stop.clone(), db.url.clone());
            std::thread::spawn(move || {
                let url = dondoc::config::DatabaseUrl::parse(&url).expect("url");
                let pool = dondoc::storage::Db::connect(&url).expect("db");
                let mut conn = pool.conn().expect("conn");
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let key = format!("load:{i}");
                    dondoc::storage::settings::set(&mut conn, &key, "x").expect("write");
                    acked.lock().expect("acked").push(key);
                    i += 1;
                }
            })
        };
        while acked.lock().expect("acked").len() < 50 {
            std::thread::yield_now();
        }
        let before: Vec<String> = acked.lock().expect("acked").clone();
        let file = db.dir().join("backup.dondoc");
        let file_arg = file.display().to_string();
        let out = dondoc(db, &["backup", "--to", &file_arg], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let written_during = acked.lock().expect("acked").len();
        stop.store(true, Ordering::SeqCst);
        writer.join().expect("writer");
        assert!(
            written_during > before.len(),
            "the writer kept writing during the backup"
        );
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file)
                .expect("backup")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        // Restore: SQLite's backup is a database file; PostgreSQL's an archive for pg_restore.
        let restored_url = if db.url.starts_with("sqlite") {
            format!("sqlite://{}", file.display())
        } else {
            let name = format!(
                "dondoc_restore_{}",
                dondoc::auth::random_secret(6).to_lowercase()
            );
            let admin = common::postgres_admin_url();
            let mut url = url::Url::parse(&admin).expect("url");
            let run = |args: &[&str]| {
                let out = Command::new(args[0])
                    .args(&args[1..])
                    .output()
                    .expect(args[0]);
                assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
            };
            run(&[
                "psql",
                "-q",
                &admin,
                "-c",
                &format!("CREATE DATABASE {name}"),
            ]);
            url.set_path(&name);
            run(&[
                "pg_restore",
                "--no-owner",
                "--dbname",
                url.as_str(),
                &file_arg,
            ]);
            url.to_string()
        };
        let restored = load_keys(&restored_url);
        for key in &before {
            assert!(
                restored.contains(key),
                "{key} acknowledged before the backup is missing"
            );
        }
        let migrated = dondoc::config::DatabaseUrl::parse(&restored_url).expect("url");
        let restored_db = dondoc::storage::Db::connect(&migrated).expect("restored db");
        assert!(restored_db.migrations_applied().expect("migrations"));
        drop(restored_db);
        if !db.url.starts_with("sqlite") {
            let name = restored_url.rsplit('/').next().expect("name").to_string();
            let out = Command::new("psql")
                .args([
                    &common::postgres_admin_url(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE {name} WITH (FORCE)"),
                ])
                .output()
                .expect("psql");
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        // The file is there: a second backup to it fails and leaves it whole.
        let size = std::fs::metadata(&file).expect("backup").len();
        let out = dondoc(db, &["backup", "--to", &file_arg], None);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("backup.dondoc"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::metadata(&file).expect("backup").len(), size);
    });
}

/// One HTTP/1.1 exchange over a plain socket: the status line's code, the
/// headers (lower-case names) and the body.
fn http_get(
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// `serve` as operations run it: JSON logs, one object a line, each request
/// with its id and never its query string; metrics only for the token's bearer.
#[test]
fn serve_logs_json_with_request_ids_and_answers_metrics_to_its_token() {
    let db = TestDb::new(Backend::Sqlite);
    let token = "metrics-token-0123456789";
    let server = Instance::start(
        &db,
        "json",
        &[
            ("DONDOC_REMINDER_INTERVAL", "0"),
            ("DONDOC_LOG_FORMAT", "json"),
            ("DONDOC_METRICS_TOKEN", token),
        ],
    );
    let addr = server.base.trim_start_matches("http://").to_string();
    let (status, headers, _) = http_get(
        &addr,
        "/healthz?t=SECRET-IN-QUERY",
        &[("X-Request-Id", "req-abc-123")],
    );
    assert_eq!(status, 200);
    assert!(
        headers.contains(&("x-request-id".into(), "req-abc-123".into())),
        "{headers:?}"
    );
    // A request id that is not a plain token is replaced by a new one.
    let (_, headers, _) = http_get(&addr, "/healthz", &[("X-Request-Id", "bad id <script>")]);
    let fresh = headers
        .iter()
        .find(|(n, _)| n == "x-request-id")
        .map(|(_, v)| v.clone())
        .expect("id");
    assert!(
        fresh.len() >= 16 && fresh.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fresh}"
    );
    assert_eq!(http_get(&addr, "/metrics", &[]).0, 401);
    assert_eq!(
        http_get(
            &addr,
            "/metrics",
            &[("Authorization", "Bearer wrong-token-0123456789")]
        )
        .0,
        401
    );
    let (status, _, body) = http_get(
        &addr,
        "/metrics",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            r#"dondoc_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"dondoc_outbox_mails{state="pending"} 0"#),
        "{body}"
    );
    assert!(
        body.contains("dondoc_http_request_duration_seconds_bucket"),
        "{body}"
    );
    let log = server.stop();
    let lines: Vec<&str> = log.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v.get("level").is_some() && v.get("timestamp").is_some(),
            "{line}"
        );
        assert!(
            !line.contains("SECRET-IN-QUERY"),
            "a query string in the log: {line}"
        );
        assert!(
            !line.contains(token),
            "the metrics token in the log: {line}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("req-abc-123") && l.contains("/healthz")),
        "the access log names the request id:\n{}",
        lines.join("\n")
    );
}

/// An SMTP server on loopback that keeps the Message-ID of each mail it receives.
fn smtp_collecting_ids() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::sync::{Arc, Mutex};
    #[derive(Clone)]
    struct Ids {
        seen: Arc<Mutex<Vec<String>>>,
        data: Vec<u8>,
    }
    impl mailin_embedded::Handler for Ids {
        fn data_start(
            &mut self,
            _: &str,
            _: &str,
            _: bool,
            _: &[String],
        ) -> mailin_embedded::Response {
            self.data.clear();
            mailin_embedded::response::OK
        }
        fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
            self.data.extend_from_slice(buf);
            Ok(())
        }
        fn data_end(&mut self) -> mailin_embedded::Response {
            let raw = String::from_utf8_lossy(&self.data);
            let id = raw
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .map(|l| l[11..].trim().to_string())
                .unwrap_or_default();
            self.seen.lock().expect("lock").push(id);
            mailin_embedded::response::OK
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler = Ids {
        seen: seen.clone(),
        data: Vec::new(),
    };
    std::thread::spawn(move || {
        let mut server = mailin_embedded::Server::new(handler);
        server
            .with_name("smtp.test")
            .with_num_threads(4)
            .with_tcp_listener(listener);
        let _ = server.serve();
    });
    (format!("smtp://127.0.0.1:{port}"), seen)
}

/// A `dondoc serve` process and the address it listens on.
struct Instance {
    child: std::process::Child,
    base: String,
    log: std::thread::JoinHandle<String>,
}

impl Instance {
    /// `serve` on a free port of its own, with these variables besides the database's.
    fn start(db: &TestDb, name: &str, vars: &[(&str, &str)]) -> Instance {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(env!("CARGO_BIN_EXE_dondoc"))
            .arg("serve")
            .current_dir(db.dir())
            .env("DATABASE_URL", &db.url)
            .env("DONDOC_BIND", "127.0.0.1:0")
            .env("DONDOC_MAIL_DIR", db.dir().join(format!("mail-{name}")))
            .env("DONDOC_FILES_DIR", db.dir().join(format!("files-{name}")))
            .env("RUST_LOG", "info")
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::thread::spawn(move || {
            let mut log = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("serving on http://") {
                    let addr: String = line[at + "serving on ".len()..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    let _ = tx.send(addr);
                }
                log.push_str(&line);
                log.push('\n');
            }
            log
        });
        let base = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("instance {name} did not start"));
        Instance { child, base, log }
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().expect("wait");
        let log = self.log.join().unwrap_or_default();
        assert!(status.success(), "{status}\n{log}");
        log
    }
}

/// Two instances of the app, each its own process and port, on one PostgreSQL:
/// whatever one knows, the other knows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_share_everything() {
    use dondoc::domain::Role;
    let db = TestDb::new(Backend::Postgres);
    let url = dondoc::config::DatabaseUrl::parse(&db.url).expect("url");
    let pool = dondoc::storage::Db::connect(&url).expect("db");
    pool.migrate().expect("migrate");
    let (official, _unit_token, leader) = {
        let mut conn = pool.conn().expect("conn");
        let unit = |code: &str, name: &str| dondoc::domain::unit::UnitInput {
            code: code.into(),
            name: name.into(),
            parent: None,
            email: Some(format!("{}@example.vn", code.to_lowercase())),
            head_email: None,
            aliases: vec![],
        };
        dondoc::storage::units::upsert_all(
            &mut conn,
            &[
                unit("BTGTU", "Ban Tuyên giáo Tỉnh ủy"),
                unit("VPTU", "Văn phòng Tỉnh ủy"),
            ],
            None,
        )
        .expect("units");
        let mut user = |email: &str, role: Role, unit: Option<&str>| {
            let id = dondoc::storage::users::create(
                &mut conn,
                &dondoc::storage::users::NewUser {
                    email: email.into(),
                    name: email.into(),
                    role,
                    unit_code: unit.map(str::to_string),
                    password_hash: dondoc::auth::hash_password("mat-khau-thu"),
                },
            )
            .expect("user");
            dondoc::storage::users::create_token(&mut conn, id, "test").expect("token")
        };
        (
            user("chuyenvien@example.vn", Role::Official, None),
            user("btg@example.vn", Role::Unit, Some("BTGTU")),
            user("lanhdao@example.vn", Role::Leader, None),
        )
    };
    let (smtp, seen) = smtp_collecting_ids();
    let shared = [
        (
            "DONDOC_SECRET_KEY",
            "the-same-secret-key-on-every-instance-0123",
        ),
        ("SMTP_URL", smtp.as_str()),
        // The test's "today" and the instances' are the same day.
        ("DONDOC_TZ", "UTC"),
        ("DONDOC_REMINDER_INTERVAL", "1"),
    ];
    let a = Instance::start(&db, "a", &shared);
    let b = Instance::start(&db, "b", &shared);
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let on = |inst: &Instance| common::WebClient {
        client: http.clone(),
        base: inst.base.clone(),
    };
    let (web_a, web_b) = (on(&a), on(&b));

    // A change on A shows on B's dashboard at once.
    let today = chrono::Utc::now().date_naive();
    let dashboard = |base: String| {
        let (client, leader) = (http.clone(), leader.clone());
        async move {
            let body: serde_json::Value = client
                .get(format!(
                    "{base}/api/v1/dashboard?from=2020-01-01&to=2030-12-31"
                ))
                .bearer_auth(&leader)
                .send()
                .await
                .expect("dashboard")
                .json()
                .await
                .expect("json");
            body["totals"]["total"]
                .as_i64()
                .unwrap_or_else(|| panic!("{body}"))
        }
    };
    assert_eq!(dashboard(b.base.clone()).await, 0);
    let created: serde_json::Value = http
        .post(format!("{}/api/v1/tasks", a.base))
        .bearer_auth(&official)
        .json(&serde_json::json!({
            "content": "Tổ chức hội nghị quán triệt",
            "lead_unit": "BTGTU",
            "assigned_on": today.format("%Y-%m-%d").to_string(),
            "deadline": today.format("%Y-%m-%d").to_string(),
        }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let task = created["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{created}"));
    assert_eq!(dashboard(b.base.clone()).await, 1);

    // Sign in on A, go on on B; upload on A, download on B.
    web_a.sign_in("btg@example.vn", "mat-khau-thu").await;
    let (status, html) = web_b.get(&format!("/tasks/{task}")).await;
    assert_eq!(status, 200, "{html}");
    let csrf = common::csrf_in(&html).expect("csrf");
    let pdf = b"%PDF-1.4 bien ban hoi nghi".repeat(20_000);
    let form = reqwest::multipart::Form::new()
        .text("percent", "50")
        .text("note", "Đã tổ chức hội nghị")
        .part(
            "attachment",
            reqwest::multipart::Part::bytes(pdf.clone())
                .file_name("bien-ban.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let res = http
        .post(format!("{}/tasks/{task}/reports?csrf={csrf}", a.base))
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
    let report = {
        let mut conn = pool.conn().expect("conn");
        dondoc::storage::progress::reports(&mut conn, task).expect("reports")[0]
            .stored
            .id
    };
    let res = http
        .get(format!("{}/attachments/{report}", b.base))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.bytes().await.expect("bytes").as_ref(),
        pdf.as_slice(),
        "the same file on B"
    );

    // Sign out on A ends the session on B.
    let csrf = web_a.csrf().await;
    let (status, _, _) = web_a.post("/logout", &[("csrf", csrf.as_str())]).await;
    assert_eq!(status, 303);
    let (status, _) = web_b.get(&format!("/tasks/{task}")).await;
    assert_eq!(status, 303, "signed out on A, still in on B");

    // The throttle counts across both: five wrong passwords, alternating, then even the right one waits.
    for n in 0..5 {
        let web = if n % 2 == 0 { &web_a } else { &web_b };
        let csrf = web.csrf().await;
        let (status, _, _) = web
            .post(
                "/login",
                &[
                    ("csrf", csrf.as_str()),
                    ("email", "lanhdao@example.vn"),
                    ("password", "sai-mat-khau"),
                ],
            )
            .await;
        assert_ne!(status, 303, "a wrong password signed in");
    }
    let csrf = web_b.csrf().await;
    let (status, _, _) = web_b
        .post(
            "/login",
            &[
                ("csrf", csrf.as_str()),
                ("email", "lanhdao@example.vn"),
                ("password", "mat-khau-thu"),
            ],
        )
        .await;
    assert_eq!(
        status, 429,
        "the sixth try from one address is held back, whichever instance"
    );

    // Both run the reminder rounds: the task is due today, each mail goes out once.
    let outbox_settled = || {
        let mut conn = pool.conn().expect("conn");
        let c = dondoc::storage::outbox::counts(&mut conn).expect("counts");
        c.sent > 0 && c.pending == 0 && c.sending == 0
    };
    let waited = std::time::Instant::now();
    while !outbox_settled() {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(120),
            "the reminders never went out"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let ids = seen.lock().expect("ids").clone();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert!(!ids.is_empty());
    assert_eq!(ids.len(), unique.len(), "a mail went out twice: {ids:?}");
    let sent = {
        let mut conn = pool.conn().expect("conn");
        dondoc::storage::outbox::counts(&mut conn)
            .expect("counts")
            .sent
    };
    assert_eq!(ids.len() as i64, sent);
    a.stop();
    b.stop();
}

/// `files migrate` moves the files kept in the folder into the database: the
/// rows point at the copies, the bytes are the same, the old files are gone,
/// and a second run moves nothing.
#[test]
fn files_migrate_moves_folder_files_into_the_database() {
    for_both(|db| {
        assert!(dondoc(db, &["demo"], None).status.success());
        let url = dondoc::config::DatabaseUrl::parse(&db.url).expect("url");
        let pool = dondoc::storage::Db::connect(&url).expect("db");
        let mut conn = pool.conn().expect("conn");
        let folder = dondoc::storage::files::Files {
            in_database: false,
            folder: db.dir().join("files"),
        };
        let day = chrono::NaiveDate::from_ymd_opt(2022, 7, 7).expect("day");
        let bytes = b"%PDF-1.4 thong bao ket luan".repeat(30_000);
        let stored = dondoc::storage::files::save(&mut conn, &folder, "Thông báo.pdf", &bytes, day)
            .expect("save in the folder");
        assert!(!stored.path.starts_with("db:"));
        let on_disk = db.dir().join("files").join(&stored.path);
        assert!(on_disk.exists());
        use diesel::RunQueryDsl;
        dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(format!(
            "INSERT INTO meeting_documents (meeting_id, file_name, file_path, file_size, created_at) \
             SELECT id, 'Thông báo.pdf', '{}', {}, created_at FROM meetings ORDER BY id LIMIT 1",
            stored.path,
            bytes.len()
        ))
        .execute(c))
        .expect("document row");
        let out = dondoc(db, &["files", "migrate"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("1 files moved"),
            "{}",
            text(&out.stdout)
        );
        assert!(!on_disk.exists(), "the old file is removed");
        #[derive(diesel::QueryableByName)]
        struct P {
            #[diesel(sql_type = diesel::sql_types::Text)]
            file_path: String,
        }
        let path = dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query("SELECT file_path FROM meeting_documents").get_result::<P>(c))
            .expect("path")
            .file_path;
        assert!(path.starts_with("db:"), "{path}");
        let read = dondoc::storage::files::read(&mut conn, &folder, &path).expect("read");
        assert_eq!(read, bytes);
        assert!(count(db, "file_blob_chunks") > 1, "kept in chunks");
        let out = dondoc(db, &["files", "migrate"], None);
        assert!(
            text(&out.stdout).starts_with("0 files moved"),
            "{}",
            text(&out.stdout)
        );
    });
}
