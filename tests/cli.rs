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
#[test]
fn commands_never_end_by_a_signal_on_postgres() {
    let db = TestDb::new(Backend::Postgres);
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
