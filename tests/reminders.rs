//! Reminders end to end, on both backends, over a real SMTP conversation with a
//! server on loopback: what arrives, when, to whom, and that nothing is lost or
//! sent twice.

mod common;

use chrono::NaiveDate;
use common::{Backend, TestDb};
use diesel::RunQueryDsl;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use dondoc::domain::task::TaskInput;
use dondoc::domain::unit::UnitInput;
use dondoc::domain::Role;
use dondoc::mail::sender::message_id;
use dondoc::mail::{DeliverOptions, Mailer, Transport};
use dondoc::storage::{self, outbox, Db};

// ---------------------------------------------------------------------------
// An SMTP server on loopback that keeps what it receives.

#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    raw: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }

    /// The decoded bodies of the parts of this content type.
    fn part(&self, content_type: &str) -> Option<String> {
        let boundary = self
            .raw
            .split("boundary=\"")
            .nth(1)?
            .split('"')
            .next()?
            .to_string();
        for part in self.raw.split(&format!("--{boundary}")) {
            let Some((head, body)) = part.split_once("\r\n\r\n") else {
                continue;
            };
            let head_l = head.to_ascii_lowercase();
            if !head_l.contains(&format!("content-type: {content_type}")) {
                continue;
            }
            let bytes = if head_l.contains("content-transfer-encoding: base64") {
                base64_decode(body)
            } else if head_l.contains("content-transfer-encoding: quoted-printable") {
                qp_decode(body)
            } else {
                body.as_bytes().to_vec()
            };
            return String::from_utf8(bytes).ok();
        }
        None
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = s.bytes().filter_map(val).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

fn qp_decode(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 3 <= b.len() {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    /// Recipients refused for good (550).
    refused: Arc<Mutex<BTreeSet<String>>>,
    gate: Arc<Gate>,
    to: Vec<String>,
    data: Vec<u8>,
}

/// Holds each mail's final reply while closed: a server that is slow to answer.
#[derive(Default)]
struct Gate {
    /// (closed, mails waiting at the gate so far)
    state: Mutex<(bool, usize)>,
    changed: Condvar,
}

impl mailin_embedded::Handler for Collector {
    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        let to = to.trim_matches(|c| c == '<' || c == '>').to_lowercase();
        if self.refused.lock().expect("lock").contains(&to) {
            return mailin_embedded::response::NO_MAILBOX;
        }
        mailin_embedded::response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        {
            let mut state = self.gate.state.lock().expect("gate");
            state.1 += 1;
            self.gate.changed.notify_all();
            while state.0 {
                state = self.gate.changed.wait(state).expect("gate");
            }
        }
        self.inbox.lock().expect("lock").push(Received {
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
        });
        mailin_embedded::response::OK
    }
}

struct SmtpServer {
    port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<BTreeSet<String>>>,
    gate: Arc<Gate>,
}

impl SmtpServer {
    /// A server on a free port.
    fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        SmtpServer::on(listener)
    }

    /// A port where nothing listens yet, for a server started later with [`SmtpServer::start_on`].
    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port()
    }

    fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the port again");
        SmtpServer::on(listener)
    }

    fn on(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(BTreeSet::new()));
        let gate = Arc::new(Gate::default());
        let handler = Collector {
            inbox: inbox.clone(),
            refused: refused.clone(),
            gate: gate.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        // mailin has no shutdown: the thread ends with the test process.
        std::thread::spawn(move || {
            let mut server = mailin_embedded::Server::new(handler);
            server
                .with_name("smtp.test")
                .with_num_threads(8)
                .with_tcp_listener(listener);
            if let Err(e) = server.serve() {
                eprintln!("test SMTP server stopped: {e}");
            }
        });
        SmtpServer {
            port,
            inbox,
            refused,
            gate,
        }
    }

    /// From now on, mails wait for [`SmtpServer::open_gate`] before the server answers.
    fn close_gate(&self) {
        self.gate.state.lock().expect("gate").0 = true;
    }

    fn open_gate(&self) {
        self.gate.state.lock().expect("gate").0 = false;
        self.gate.changed.notify_all();
    }

    /// Waits until `n` mails in all have reached the gate.
    fn wait_at_gate(&self, n: usize) {
        let mut state = self.gate.state.lock().expect("gate");
        while state.1 < n {
            state = self.gate.changed.wait(state).expect("gate");
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("lock").clone()
    }

    /// Mails that arrived since the first `seen`.
    fn since(&self, seen: usize) -> Vec<Received> {
        self.received().into_iter().skip(seen).collect()
    }

    fn refuse(&self, email: &str) {
        self.refused.lock().expect("lock").insert(email.to_string());
    }
}

// ---------------------------------------------------------------------------
// The offices, people and tasks of the tests.

const BTG: &str = "btg@hanam.vn";
const BTG_HEAD: &str = "truongban@hanam.vn";
const VP: &str = "vp@hanam.vn";
const OFFICIAL: &str = "chuyenvien@hanam.vn";
const BASE_URL: &str = "https://dondoc.hanam.vn";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

struct Fixture {
    db: Db,
    tasks: HashMap<&'static str, i64>,
}

fn sql(db: &Db, query: &str) {
    let mut conn = db.conn().expect("conn");
    storage::with_conn!(&mut *conn, c => diesel::sql_query(query).execute(c)).expect(query);
}

fn count(db: &Db, query: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.conn().expect("conn");
    storage::with_conn!(&mut *conn, c => diesel::sql_query(query).get_result::<N>(c))
        .expect(query)
        .n
}

/// Units TUHN > BTGTU (with a head), VPTU (no head), NOMAIL (no email); an
/// official who reads English; tasks:
/// - T1: BTGTU leads, VPTU coordinates, deadline 2022-12-31;
/// - T4: VPTU leads, deadline 2022-12-28;
/// - DONE: done on 2022-12-01; CANCELLED: cancelled on 2022-11-01 (both deadline 2022-12-31, BTGTU);
/// - ONGOING: no deadline (BTGTU); ORPHAN: NOMAIL leads, deadline 2022-12-31.
fn fixture(test_db: &TestDb) -> Fixture {
    let url = dondoc::config::DatabaseUrl::parse(&test_db.url).expect("url");
    let db = Db::connect(&url).expect("connect");
    db.migrate().expect("migrate");
    let mut conn = db.conn().expect("conn");
    let unit =
        |code: &str, name: &str, parent: Option<&str>, email: Option<&str>, head: Option<&str>| {
            UnitInput {
                code: code.into(),
                name: name.into(),
                parent: parent.map(str::to_string),
                email: email.map(str::to_string),
                head_email: head.map(str::to_string),
                aliases: vec![],
            }
        };
    storage::units::upsert_all(
        &mut conn,
        &[
            unit(
                "TUHN",
                "Tỉnh ủy Hà Nam",
                None,
                Some("tinhuy@hanam.vn"),
                None,
            ),
            unit(
                "BTGTU",
                "Ban Tuyên giáo Tỉnh ủy",
                Some("TUHN"),
                Some(BTG),
                Some(BTG_HEAD),
            ),
            unit("VPTU", "Văn phòng Tỉnh ủy", Some("TUHN"), Some(VP), None),
            unit("NOMAIL", "Đơn vị chưa có thư", Some("TUHN"), None, None),
        ],
        None,
    )
    .expect("units");
    let official = storage::users::create(
        &mut conn,
        &storage::users::NewUser {
            email: OFFICIAL.into(),
            name: "Nguyễn Văn Theo Dõi".into(),
            role: Role::Official,
            unit_code: None,
            password_hash: dondoc::auth::hash_password("mat-khau-thu"),
        },
    )
    .expect("official");
    drop(conn);
    sql(
        &db,
        &format!("UPDATE users SET language = 'en' WHERE id = {official}"),
    );
    let mut conn = db.conn().expect("conn");
    let mut tasks = HashMap::new();
    let mut add = |name: &'static str,
                   lead: &str,
                   coordinators: &[&str],
                   deadline: Option<&str>,
                   completed: Option<&str>,
                   cancelled: Option<&str>| {
        let input = TaskInput {
            reference: Some(name.to_string()),
            content: format!(
                "Nhiệm vụ {name}: tổ chức hội nghị quán triệt <Nghị quyết> & triển khai"
            ),
            lead_unit: Some(lead.into()),
            coordinators: coordinators.iter().map(|c| c.to_string()).collect(),
            assigned_on: d("2022-07-07"),
            deadline: deadline.map(d),
            original_deadline: None,
            completed_on: completed.map(d),
            cancelled_on: cancelled.map(d),
            expected_output: String::new(),
        };
        let record = storage::tasks::create(&mut conn, &input, None, Some(official)).expect("task");
        tasks.insert(name, record.task.id);
    };
    add("T1", "BTGTU", &["VPTU"], Some("2022-12-31"), None, None);
    add("T4", "VPTU", &[], Some("2022-12-28"), None, None);
    add(
        "DONE",
        "BTGTU",
        &["VPTU"],
        Some("2022-12-31"),
        Some("2022-12-01"),
        None,
    );
    add(
        "CANCELLED",
        "BTGTU",
        &["VPTU"],
        Some("2022-12-31"),
        None,
        Some("2022-11-01"),
    );
    add("ONGOING", "BTGTU", &[], None, None, None);
    add("ORPHAN", "NOMAIL", &[], Some("2022-12-31"), None, None);
    Fixture { db, tasks }
}

fn mailer(test_db: &TestDb, db: &Db, smtp_url: Option<&str>, digest_day: &str) -> Mailer {
    let mut extra = vec![
        ("DONDOC_BASE_URL", BASE_URL.to_string()),
        ("DONDOC_MAIL_FROM", "Đôn đốc <dondoc@hanam.vn>".to_string()),
        ("DONDOC_DIGEST_DAY", digest_day.to_string()),
    ];
    if let Some(url) = smtp_url {
        extra.push(("SMTP_URL", url.to_string()));
    }
    let config = common::config_for(test_db, &extra);
    let secret = dondoc::mail::secret_key(&config, db).expect("secret key");
    Mailer::new(&config, secret).expect("mailer")
}

/// The mails that arrived, by recipient, each with the task references it lists.
fn by_recipient(mails: &[Received], refs: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in mails {
        assert_eq!(m.to.len(), 1, "one recipient per mail");
        let text = m.part("text/plain").expect("text part");
        let listed: Vec<String> = refs
            .iter()
            .filter(|r| text.contains(&format!("[{r}]")))
            .map(|r| r.to_string())
            .collect();
        let to = m.to[0]
            .trim_matches(|c| c == '<' || c == '>')
            .to_lowercase();
        assert!(
            out.insert(to.clone(), listed).is_none(),
            "two mails for {to} on one day"
        );
    }
    out
}

fn expect(list: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    list.iter()
        .map(|(to, refs)| (to.to_string(), refs.iter().map(|r| r.to_string()).collect()))
        .collect()
}

fn for_both(test: impl Fn(Backend)) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        test(backend);
    }
}

// ---------------------------------------------------------------------------

/// Day by day around the deadlines: each policy day gives exactly one mail per
/// recipient listing all their due tasks; other days nothing; done and cancelled
/// tasks never; and running a day again sends nothing new.
#[test]
fn each_policy_day_one_mail_per_recipient_and_nothing_twice() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let smtp = SmtpServer::start();
        let m = mailer(&test_db, &f.db, Some(&smtp.url()), "off");
        let refs = ["T1", "T4", "DONE", "CANCELLED", "ONGOING", "ORPHAN"];
        let plan: Vec<(&str, BTreeMap<String, Vec<String>>)> = vec![
            ("2022-12-20", expect(&[])),
            ("2022-12-21", expect(&[(VP, &["T4"])])),
            ("2022-12-22", expect(&[])),
            ("2022-12-24", expect(&[(BTG, &["T1"]), (VP, &["T1"])])),
            ("2022-12-25", expect(&[(VP, &["T4"])])),
            ("2022-12-26", expect(&[])),
            ("2022-12-27", expect(&[(VP, &["T4"])])),
            ("2022-12-28", expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"])])),
            ("2022-12-29", expect(&[])),
            ("2022-12-30", expect(&[(BTG, &["T1"]), (VP, &["T1"])])),
            ("2022-12-31", expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"])])),
            ("2023-01-01", expect(&[])),
            ("2023-01-03", expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"])])),
            ("2023-01-05", expect(&[])),
            (
                "2023-01-06",
                expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"]), (OFFICIAL, &["T4"])]),
            ),
            (
                "2023-01-09",
                expect(&[
                    (BTG, &["T1"]),
                    (VP, &["T1", "T4"]),
                    (BTG_HEAD, &["T1"]),
                    (OFFICIAL, &["T1", "T4", "ORPHAN"]),
                ]),
            ),
            ("2023-01-10", expect(&[])),
            (
                "2023-01-12",
                expect(&[
                    (BTG, &["T1"]),
                    (VP, &["T1", "T4"]),
                    (BTG_HEAD, &["T1"]),
                    (OFFICIAL, &["T1", "T4", "ORPHAN"]),
                ]),
            ),
        ];
        for (day, want) in plan {
            let seen = smtp.received().len();
            let (queued, delivered) = m.remind(&f.db, d(day), false).expect("remind");
            let got = by_recipient(&smtp.since(seen), &refs);
            assert_eq!(got, want, "{backend:?} {day}");
            assert_eq!(delivered.sent, want.len(), "{backend:?} {day}");
            assert_eq!(queued.mails, want.len(), "{backend:?} {day}");
            // The same day again: everything is recorded, nothing new goes out.
            let seen = smtp.received().len();
            let (again, delivered) = m.remind(&f.db, d(day), false).expect("remind again");
            assert_eq!(
                (again.reminders, again.mails, delivered.sent),
                (0, 0, 0),
                "{backend:?} {day}"
            );
            assert_eq!(smtp.received().len(), seen, "{backend:?} {day}");
        }
        // Every reminder recorded once; the outbox has each mail once, sent.
        let mut conn = f.db.conn().expect("conn");
        let counts = outbox::counts(&mut conn).expect("counts");
        assert_eq!((counts.pending, counts.sending, counts.dead), (0, 0, 0));
        assert_eq!(counts.sent as usize, smtp.received().len());
        let ids: BTreeSet<String> = smtp.received().iter().map(Received::message_id).collect();
        assert_eq!(ids.len(), smtp.received().len(), "a Message-ID twice");
        let done = f.tasks["DONE"];
        let cancelled = f.tasks["CANCELLED"];
        assert_eq!(
            count(
                &f.db,
                &format!(
                    "SELECT COUNT(*) AS n FROM reminders WHERE task_id IN ({done}, {cancelled})"
                )
            ),
            0
        );
    });
}

/// What a mail says: HTML with a text alternative, in the recipient's
/// language, each task linked, with a signed report link for the units.
#[test]
fn mails_are_html_with_text_in_the_recipients_language_with_links() {
    let test_db = TestDb::new(Backend::Sqlite);
    let f = fixture(&test_db);
    let smtp = SmtpServer::start();
    let m = mailer(&test_db, &f.db, Some(&smtp.url()), "off");
    m.remind(&f.db, d("2023-01-09"), false).expect("remind");
    let mails = smtp.received();
    let to = |email: &str| {
        mails
            .iter()
            .find(|r| r.to.iter().any(|t| t.contains(email)))
            .unwrap_or_else(|| panic!("no mail to {email}"))
            .clone()
    };
    let unit_mail = to(BTG);
    let text = unit_mail.part("text/plain").expect("text");
    let html = unit_mail.part("text/html").expect("html");
    assert!(unit_mail.raw.contains("multipart/alternative"));
    assert_eq!(
        unit_mail.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(text.contains("Kính gửi Ban Tuyên giáo Tỉnh ủy"), "{text}");
    assert!(
        text.contains("Quá hạn 9 ngày (thời hạn 31/12/2022)"),
        "{text}"
    );
    let task_url = format!("{BASE_URL}/tasks/{}", f.tasks["T1"]);
    assert!(text.contains(&task_url), "{text}");
    assert!(html.contains(&format!("href=\"{task_url}\"")), "{html}");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"vi\""));
    // Task text is escaped in HTML and kept as is in the text.
    assert!(
        html.contains("&lt;Nghị quyết&gt; &amp; triển khai"),
        "{html}"
    );
    assert!(text.contains("<Nghị quyết> & triển khai"));
    // The report link opens the form for this task and this unit only.
    let token = text
        .split("?t=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("report link");
    let config = common::config_for(&test_db, &[]);
    let secret = dondoc::mail::secret_key(&config, &f.db).expect("secret");
    let link = dondoc::mail::link::verify(&secret, token, chrono::Utc::now()).expect("valid link");
    let mut conn = f.db.conn().expect("conn");
    let btg = storage::units::by_code(&mut conn, "BTGTU").expect("unit");
    assert_eq!((link.task_id, link.unit_id), (f.tasks["T1"], btg.id));
    // The head is told of the escalation, without a report link.
    let head = to(BTG_HEAD).part("text/plain").expect("text");
    assert!(
        head.contains("Kính gửi Thủ trưởng Ban Tuyên giáo Tỉnh ủy"),
        "{head}"
    );
    assert!(
        head.contains("Báo cáo lãnh đạo: Ban Tuyên giáo Tỉnh ủy (BTGTU) chưa hoàn thành"),
        "{head}"
    );
    assert!(!head.contains("?t="));
    // The official reads English.
    let official = to(OFFICIAL);
    let subject = official.header("Subject").expect("subject");
    assert!(
        subject.contains("Dondoc") || subject.contains("=?utf-8?"),
        "{subject}"
    );
    let text = official.part("text/plain").expect("text");
    assert!(text.starts_with("Dear Nguyễn Văn Theo Dõi,"), "{text}");
    assert!(
        text.contains("has not completed this task, overdue by 9 days"),
        "{text}"
    );
    assert!(official
        .part("text/html")
        .expect("html")
        .contains("lang=\"en\""));
}

/// On the digest day each unit's mail carries its weekly digest: open, due
/// soon and overdue tasks, never done or cancelled ones; the unit still gets one mail.
#[test]
fn weekly_digest_goes_with_the_days_mail() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let smtp = SmtpServer::start();
        // 2022-12-28 is a Wednesday: the digest day here.
        let m = mailer(&test_db, &f.db, Some(&smtp.url()), "wed");
        let (queued, _) = m.remind(&f.db, d("2022-12-28"), false).expect("remind");
        let mails = smtp.received();
        let refs = ["T1", "T4", "DONE", "CANCELLED", "ONGOING", "ORPHAN"];
        // Reminders: BTG (T1), VP (T1, T4); digests: BTG, VP and TUHN-less units with tasks.
        let got = by_recipient(&mails, &refs);
        assert_eq!(
            got,
            expect(&[(BTG, &["T1", "ONGOING"]), (VP, &["T1", "T4"])]),
            "{backend:?}"
        );
        assert_eq!(queued.digests, 2);
        let btg = mails
            .iter()
            .find(|r| r.to[0].contains(BTG))
            .expect("btg")
            .part("text/plain")
            .expect("text");
        assert!(
            btg.contains("== Tổng hợp nhiệm vụ của Ban Tuyên giáo Tỉnh ủy =="),
            "{btg}"
        );
        assert!(
            btg.contains("Sắp đến hạn (1)") && btg.contains("Đang thực hiện (1)"),
            "{btg}"
        );
        assert!(!btg.contains("[DONE]") && !btg.contains("[CANCELLED]"));
        // Later that day nothing more: the digest went with the first mail.
        let (again, delivered) = m.remind(&f.db, d("2022-12-28"), false).expect("again");
        assert_eq!((again.mails, delivered.sent), (0, 0));
        // A task that becomes due later the same day goes in a second mail, without the digest.
        let mut conn = f.db.conn().expect("conn");
        storage::tasks::create(
            &mut conn,
            &TaskInput {
                reference: Some("LATE-ADD".into()),
                content: "Nhiệm vụ bổ sung".into(),
                lead_unit: Some("BTGTU".into()),
                coordinators: vec![],
                assigned_on: d("2022-12-28"),
                deadline: Some(d("2022-12-29")),
                original_deadline: None,
                completed_on: None,
                cancelled_on: None,
                expected_output: String::new(),
            },
            None,
            None,
        )
        .expect("task");
        let seen = smtp.received().len();
        let (later, _) = m.remind(&f.db, d("2022-12-28"), false).expect("later");
        assert_eq!(later.mails, 1);
        let new = smtp.since(seen);
        let text = new[0].part("text/plain").expect("text");
        assert!(
            text.contains("[LATE-ADD]") && !text.contains("Tổng hợp"),
            "{text}"
        );
        outbox::by_key(&mut conn, &format!("reminder:2022-12-28:{BTG}:2")).expect("second key");
    });
}

/// With the SMTP server down nothing is lost; once it is back, `remind --flush`
/// delivers everything once (the binary, as an operator runs it).
#[test]
fn smtp_outage_then_flush_delivers_everything_once() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let port = SmtpServer::free_port();
        let smtp_url = format!("smtp://127.0.0.1:{port}");
        let run = |args: &[&str]| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
                .args(args)
                .current_dir(test_db.dir())
                .env("DATABASE_URL", &test_db.url)
                .env("SMTP_URL", &smtp_url)
                .env("DONDOC_DIGEST_DAY", "off")
                .env("DONDOC_BASE_URL", BASE_URL)
                .env("LANG", "C")
                .output()
                .expect("run dondoc");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        // Down: the reminders are recorded, the mails wait.
        let (code, stdout, stderr) = run(&["remind", "--at", "2022-12-28"]);
        assert_eq!(code, Some(1), "{stdout}\n{stderr}");
        assert!(stderr.contains("remind --flush"), "{stderr}");
        assert!(
            stdout.contains("3 reminders recorded, 2 mails queued"),
            "{stdout}"
        );
        let mut conn = f.db.conn().expect("conn");
        let counts = outbox::counts(&mut conn).expect("counts");
        assert_eq!(
            (counts.pending, counts.sent, counts.dead),
            (2, 0, 0),
            "{backend:?}"
        );
        // Still down, a second run queues nothing new and loses nothing.
        let (code, stdout, _) = run(&["remind", "--at", "2022-12-28", "--flush"]);
        assert_eq!(code, Some(1));
        assert!(
            stdout.contains("0 reminders recorded, 0 mails queued"),
            "{stdout}"
        );
        assert_eq!(outbox::counts(&mut conn).expect("counts").pending, 2);
        // Back up. Without --flush the mails wait for their back-off…
        let smtp = SmtpServer::start_on(port);
        let (code, _, stderr) = run(&["remind", "--at", "2022-12-28"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(smtp.received().len(), 0);
        // …with --flush they go now, each once.
        let (code, stdout, stderr) = run(&["remind", "--at", "2022-12-28", "--flush"]);
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("2 sent"), "{stdout}");
        let got = by_recipient(&smtp.received(), &["T1", "T4"]);
        assert_eq!(
            got,
            expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"])]),
            "{backend:?}"
        );
        let (code, _, _) = run(&["remind", "--at", "2022-12-28", "--flush"]);
        assert_eq!(code, Some(0));
        assert_eq!(smtp.received().len(), 2, "{backend:?}");
        let counts = outbox::counts(&mut conn).expect("counts");
        assert_eq!(
            (counts.pending, counts.sending, counts.sent, counts.dead),
            (0, 0, 2, 0)
        );
    });
}

/// `--dry-run` says who would get what and writes nothing.
#[test]
fn dry_run_prints_and_writes_nothing() {
    let test_db = TestDb::new(Backend::Sqlite);
    let f = fixture(&test_db);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .args(["remind", "--at", "2023-01-09", "--dry-run"])
        .current_dir(test_db.dir())
        .env("DATABASE_URL", &test_db.url)
        .env("DONDOC_MAIL_DIR", test_db.dir().join("mail"))
        .env("LANG", "C")
        .output()
        .expect("run dondoc");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "btg@hanam.vn (vi): 1 reminders",
        "vp@hanam.vn (vi): 2 reminders",
        "truongban@hanam.vn (vi): 1 reminders",
        "chuyenvien@hanam.vn (en): 3 reminders",
        "escalation",
        // 2023-01-09 is a Monday: the default digest day.
        "+ weekly digest of BTGTU",
        "no email: NOMAIL",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    assert!(
        !stdout.contains("DONE") && !stdout.contains("CANCELLED"),
        "{stdout}"
    );
    assert_eq!(count(&f.db, "SELECT COUNT(*) AS n FROM mail_outbox"), 0);
    assert_eq!(count(&f.db, "SELECT COUNT(*) AS n FROM reminders"), 0);
    assert!(!test_db.dir().join("mail").exists());
}

/// Without SMTP_URL the same mails are written as .eml files.
#[test]
fn without_smtp_mails_are_eml_files() {
    let test_db = TestDb::new(Backend::Sqlite);
    let f = fixture(&test_db);
    let m = mailer(&test_db, &f.db, None, "off");
    let (_, delivered) = m.remind(&f.db, d("2022-12-28"), false).expect("remind");
    assert_eq!(delivered.sent, 2);
    let dir = test_db.dir().join("mail");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("mail dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    let raw = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(
        raw.contains("multipart/alternative") && raw.contains("To: btg@hanam.vn"),
        "{raw}"
    );
}

/// Two senders on one database deliver each mail once, whatever the timing.
#[test]
fn concurrent_senders_deliver_each_mail_once() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let smtp = SmtpServer::start();
        let total = 150;
        {
            let mut conn = f.db.conn().expect("conn");
            for i in 0..total {
                outbox::enqueue(
                    &mut conn,
                    &outbox::NewMail {
                        dedup_key: format!("test:{i}"),
                        recipient: format!("unit{}@hanam.vn", i % 7),
                        subject: format!("Thư {i}"),
                        body_text: format!("nội dung {i}"),
                        body_html: format!("<p>nội dung {i}</p>"),
                    },
                )
                .expect("enqueue");
            }
        }
        let url = dondoc::config::DatabaseUrl::parse(&test_db.url).expect("url");
        let from: lettre::message::Mailbox = "dondoc@hanam.vn".parse().expect("from");
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let url = url.clone();
                let from = from.clone();
                let smtp_url = url::Url::parse(&smtp.url()).expect("smtp url");
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    // Each sender with its own pool and SMTP connection, as two app instances.
                    let db = Db::connect(&url).expect("connect");
                    let transport = Transport::smtp(&smtp_url).expect("transport");
                    barrier.wait();
                    dondoc::mail::sender::deliver(
                        &db,
                        &transport,
                        &from,
                        &DeliverOptions {
                            batch: 3,
                            ..DeliverOptions::default()
                        },
                    )
                    .expect("deliver")
                })
            })
            .collect();
        let results: Vec<_> = senders
            .into_iter()
            .map(|h| h.join().expect("sender"))
            .collect();
        assert_eq!(
            results.iter().map(|r| r.sent).sum::<usize>(),
            total,
            "{backend:?} {results:?}"
        );
        assert!(results
            .iter()
            .all(|r| r.lost_claims == 0 && r.retrying == 0));
        let received = smtp.received();
        assert_eq!(received.len(), total, "{backend:?}");
        let ids: BTreeSet<String> = received.iter().map(Received::message_id).collect();
        let want: BTreeSet<String> = (0..total)
            .map(|i| message_id(&format!("test:{i}"), &from))
            .collect();
        assert_eq!(ids, want, "{backend:?}: each mail exactly once");
        let mut conn = f.db.conn().expect("conn");
        assert_eq!(
            outbox::counts(&mut conn).expect("counts").sent,
            total as i64
        );
    });
}

/// A crash between sending and marking resends only after the lease, never
/// for a mail marked sent; a sender that lost its claim cannot mark.
#[test]
fn a_lost_claim_is_taken_again_but_a_sent_mail_never() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let smtp = SmtpServer::start();
        let transport =
            Transport::smtp(&url::Url::parse(&smtp.url()).expect("url")).expect("transport");
        let from: lettre::message::Mailbox = "dondoc@hanam.vn".parse().expect("from");
        let mut conn = f.db.conn().expect("conn");
        for key in ["crash:a", "crash:b"] {
            outbox::enqueue(
                &mut conn,
                &outbox::NewMail {
                    dedup_key: key.into(),
                    recipient: BTG.into(),
                    subject: key.into(),
                    body_text: key.into(),
                    body_html: key.into(),
                },
            )
            .expect("enqueue");
        }
        let now = storage::now();
        // A sender claims both with a lease that ends at once, "sends" a and marks it, then dies.
        let claimed = outbox::claim(&mut conn, 10, now, Duration::ZERO).expect("claim");
        assert_eq!(claimed.len(), 2);
        let a = claimed
            .iter()
            .find(|m| m.dedup_key == "crash:a")
            .expect("a");
        let b = claimed
            .iter()
            .find(|m| m.dedup_key == "crash:b")
            .expect("b");
        assert!(outbox::mark_sent(&mut conn, a.id, a.attempts).expect("mark"));
        // The lease ends; then another sender may take what was not marked.
        std::thread::sleep(Duration::from_millis(20));
        let delivered =
            dondoc::mail::sender::deliver(&f.db, &transport, &from, &DeliverOptions::default())
                .expect("deliver");
        // b's lease ran out: it is taken again and sent; a is sent already and stays so.
        assert_eq!(delivered.sent, 1);
        let received = smtp.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].message_id(), message_id("crash:b", &from));
        // The dead sender wakes up: its claim on b is gone.
        assert!(!outbox::mark_sent(&mut conn, b.id, b.attempts).expect("mark"));
        assert_eq!(
            outbox::mark_failed(&mut conn, b.id, b.attempts, "late", false).expect("fail"),
            outbox::Failed::NotHeld
        );
        assert_eq!(
            outbox::by_key(&mut conn, "crash:b").expect("b").state,
            outbox::SENT
        );
        // Nothing is due any more, even when flushing.
        let delivered = dondoc::mail::sender::deliver(
            &f.db,
            &transport,
            &from,
            &DeliverOptions {
                flush: true,
                ..DeliverOptions::default()
            },
        )
        .expect("deliver");
        assert_eq!(delivered, dondoc::mail::Delivered::default());
        // A key already queued is not queued again.
        assert!(!outbox::enqueue(
            &mut conn,
            &outbox::NewMail {
                dedup_key: "crash:a".into(),
                recipient: BTG.into(),
                subject: String::new(),
                body_text: String::new(),
                body_html: String::new(),
            }
        )
        .expect("enqueue"));
        assert_eq!(smtp.received().len(), 1, "{backend:?}");
    });
}

/// A claimed mail belongs to its sender until the lease ends, even when flushing.
#[test]
fn a_claim_holds_until_its_lease_ends() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let mut conn = f.db.conn().expect("conn");
        outbox::enqueue(
            &mut conn,
            &outbox::NewMail {
                dedup_key: "lease:a".into(),
                recipient: BTG.into(),
                subject: "a".into(),
                body_text: "a".into(),
                body_html: "a".into(),
            },
        )
        .expect("enqueue");
        let first =
            outbox::claim(&mut conn, 10, storage::now(), Duration::from_secs(600)).expect("claim");
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].state.as_str(), first[0].attempts),
            (outbox::SENDING, 1)
        );
        let far = storage::now() + chrono::Duration::days(1);
        assert!(
            outbox::claim(&mut conn, 10, far, Duration::from_secs(600))
                .expect("claim")
                .is_empty(),
            "{backend:?}"
        );
        assert_eq!(outbox::make_all_due(&mut conn).expect("flush"), 0);
        let smtp = SmtpServer::start();
        let transport =
            Transport::smtp(&url::Url::parse(&smtp.url()).expect("url")).expect("transport");
        let from: lettre::message::Mailbox = "dondoc@hanam.vn".parse().expect("from");
        let flush = DeliverOptions {
            flush: true,
            ..DeliverOptions::default()
        };
        let delivered =
            dondoc::mail::sender::deliver(&f.db, &transport, &from, &flush).expect("deliver");
        assert_eq!(delivered.sent, 0);
        assert!(smtp.received().is_empty());
        // Its holder marks it.
        assert!(outbox::mark_sent(&mut conn, first[0].id, first[0].attempts).expect("mark"));
        assert_eq!(
            outbox::get(&mut conn, first[0].id).expect("row").state,
            outbox::SENT
        );
    });
}

/// A mail the server refuses for good is a dead letter at once; "send again"
/// puts it back in the queue; a transient failure backs off.
#[test]
fn dead_letters_and_send_again() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let smtp = SmtpServer::start();
        smtp.refuse(VP);
        let m = mailer(&test_db, &f.db, Some(&smtp.url()), "off");
        let (_, delivered) = m.remind(&f.db, d("2022-12-28"), false).expect("remind");
        assert_eq!(
            (delivered.sent, delivered.dead, delivered.retrying),
            (1, 1, 0),
            "{backend:?}"
        );
        let mut conn = f.db.conn().expect("conn");
        let dead = outbox::dead_letters(&mut conn, 50).expect("dead");
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].recipient, VP);
        assert!(dead[0].last_error.contains("550"), "{}", dead[0].last_error);
        // Sending a mail that is not dead again is a conflict; an unknown one is not found.
        let sent = outbox::by_key(&mut conn, &format!("reminder:2022-12-28:{BTG}")).expect("sent");
        assert!(matches!(
            outbox::send_again(&mut conn, sent.id),
            Err(storage::StorageError::Conflict { .. })
        ));
        assert!(matches!(
            outbox::send_again(&mut conn, 999_999),
            Err(storage::StorageError::NotFound)
        ));
        // The address is fixed; send again.
        smtp.refused.lock().expect("lock").clear();
        outbox::send_again(&mut conn, dead[0].id).expect("send again");
        let (queued, delivered) = m.remind(&f.db, d("2022-12-28"), false).expect("remind");
        assert_eq!((queued.mails, delivered.sent), (0, 1));
        assert!(outbox::dead_letters(&mut conn, 50)
            .expect("dead")
            .is_empty());
        let to_vp = smtp
            .received()
            .iter()
            .filter(|r| r.to[0].contains(VP))
            .count();
        assert_eq!(to_vp, 1);
        // A transient refusal (the file system here: a file where the folder should be) backs off.
        let blocked = test_db.dir().join("blocked");
        std::fs::write(&blocked, "not a folder").expect("file");
        let files = m.with_transport(Transport::files(blocked.join("mail")));
        let (_, delivered) = files.remind(&f.db, d("2022-12-31"), false).expect("remind");
        assert_eq!((delivered.sent, delivered.retrying), (0, 1), "{backend:?}");
        assert!(delivered.unreachable.is_some());
        let counts = outbox::counts(&mut conn).expect("counts");
        assert_eq!((counts.pending, counts.dead), (2, 0));
        let waiting =
            outbox::by_key(&mut conn, &format!("reminder:2022-12-31:{BTG}")).expect("row");
        assert!(waiting.next_attempt_at > storage::now(), "backs off");
    });
}

/// The calendar feed of a unit: its open deadlines as RFC 5545, at a secret
/// address; unknown and replaced secrets are not found.
mod ics_feed {
    use super::*;

    on_both_backends! {
        async fn the_units_calendar_feed_parses(app) {
            let mut conn = app.db.conn().expect("conn");
            let task = |reference: &str, lead: &str, coordinators: &[&str], deadline: Option<&str>, completed: Option<&str>| TaskInput {
                reference: Some(reference.to_string()),
                content: format!("{reference}: Tổ chức hội nghị; quán triệt \"Nghị quyết\", phần A, B"),
                lead_unit: Some(lead.into()),
                coordinators: coordinators.iter().map(|c| c.to_string()).collect(),
                assigned_on: d("2022-07-07"),
                deadline: deadline.map(d),
                original_deadline: None,
                completed_on: completed.map(d),
                cancelled_on: None,
                expected_output: String::new(),
            };
            for t in [
                task("LEADS", "BTGTU", &[], Some("2022-12-31"), None),
                task("COORDINATES", "VPTU", &["BTGTU"], Some("2023-03-31"), None),
                task("FINISHED", "BTGTU", &[], Some("2022-10-31"), Some("2022-10-01")),
                task("ONGOING", "BTGTU", &[], None, None),
                task("OTHERS", "VPTU", &[], Some("2022-11-30"), None),
            ] {
                storage::tasks::create(&mut conn, &t, None, None).expect("task");
            }
            let unit = storage::units::by_code(&mut conn, common::TEST_UNIT).expect("unit");
            let secret = storage::calendar::rotate_secret(&mut conn, unit.id).expect("secret");
            {
                // Only the hash is kept.
                use diesel::prelude::*;
                use dondoc::storage::schema::calendar_feeds;
                let stored: String = dondoc::storage::with_conn!(&mut *conn, c => calendar_feeds::table.find(unit.id).select(calendar_feeds::secret_hash).first(c)).expect("row");
                assert_ne!(stored, secret);
                assert_eq!(stored, dondoc::auth::hash_token(&secret));
            }
            let res = app.client.get(app.url(&format!("/ics/{secret}.ics"))).send().await.expect("get");
            assert_eq!(res.status().as_u16(), 200);
            let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            assert!(content_type.starts_with("text/calendar"), "{content_type}");
            let body = res.text().await.expect("body");
            assert!(body.lines().all(|l| l.len() <= 76), "folded at 75 octets");
            let unfolded = icalendar::parser::unfold(&body);
            let cal = icalendar::parser::read_calendar(&unfolded).expect("the feed parses");
            let events: Vec<_> = cal.components.iter().filter(|c| c.name == "VEVENT").collect();
            let prop = |c: &icalendar::parser::Component, name: &str| {
                c.properties.iter().find(|p| p.name == name).map(|p| p.val.as_str().to_string())
            };
            let mut got: Vec<(String, String, String)> = events
                .iter()
                .map(|e| (
                    prop(e, "DTSTART").expect("DTSTART"),
                    prop(e, "DTEND").expect("DTEND"),
                    prop(e, "SUMMARY").expect("SUMMARY"),
                ))
                .collect();
            got.sort();
            assert_eq!(got.len(), 2, "{body}");
            assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("20221231", "20230101"));
            assert!(got[0].2.starts_with("[LEADS] LEADS: Tổ chức hội nghị"), "{}", got[0].2);
            assert_eq!(got[1].0, "20230331");
            assert!(got[1].2.starts_with("[COORDINATES]"));
            let uids: BTreeSet<_> = events.iter().map(|e| prop(e, "UID").expect("UID")).collect();
            assert_eq!(uids.len(), 2);
            assert!(events.iter().all(|e| prop(e, "DTSTAMP").is_some()));
            assert!(body.contains("VERSION:2.0") && body.contains("PRODID:"));
            // Unknown, malformed and replaced secrets: 404.
            let other = dondoc::auth::random_secret(storage::calendar::SECRET_BYTES);
            for path in [format!("/ics/{other}.ics"), "/ics/abc.ics".to_string(), format!("/ics/{secret}")] {
                let res = app.client.get(app.url(&path)).send().await.expect("get");
                assert_eq!(res.status().as_u16(), 404, "{path}");
            }
            let rotated = storage::calendar::rotate_secret(&mut conn, unit.id).expect("rotate");
            assert_ne!(rotated, secret);
            let old = app.client.get(app.url(&format!("/ics/{secret}.ics"))).send().await.expect("get");
            assert_eq!(old.status().as_u16(), 404);
            let new = app.client.get(app.url(&format!("/ics/{rotated}.ics"))).send().await.expect("get");
            assert_eq!(new.status().as_u16(), 200);
        }
    }
}

/// `serve` does the same work on its interval in a thread of its own, and
/// stops with the server.
#[test]
fn serve_sends_due_reminders_on_its_interval_and_stops() {
    let test_db = TestDb::new(Backend::Sqlite);
    let f = fixture(&test_db);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    {
        let mut conn = f.db.conn().expect("conn");
        storage::tasks::create(
            &mut conn,
            &TaskInput {
                reference: Some("SOON".into()),
                content: "Nhiệm vụ sắp đến hạn".into(),
                lead_unit: Some("BTGTU".into()),
                coordinators: vec![],
                assigned_on: today - chrono::Duration::days(10),
                deadline: Some(today + chrono::Duration::days(3)),
                original_deadline: None,
                completed_on: None,
                cancelled_on: None,
                expected_output: String::new(),
            },
            None,
            None,
        )
        .expect("task");
    }
    let mail_dir = test_db.dir().join("mail");
    let log = std::fs::File::create(test_db.dir().join("serve.log")).expect("log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dondoc"))
        .arg("serve")
        .current_dir(test_db.dir())
        .env("DATABASE_URL", &test_db.url)
        .env("DONDOC_BIND", "127.0.0.1:0")
        .env("DONDOC_MAIL_DIR", &mail_dir)
        .env("DONDOC_REMINDER_INTERVAL", "1")
        .env("DONDOC_DIGEST_DAY", "off")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("serve");
    let found = |dir: &std::path::Path| -> Vec<Received> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .map(|raw| Received { to: vec![], raw })
                    .filter(|r| r.part("text/plain").is_some_and(|t| t.contains("[SOON]")))
                    .collect()
            })
            .unwrap_or_default()
    };
    let waited = std::time::Instant::now();
    while found(&mail_dir).is_empty() && waited.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let soon = found(&mail_dir);
    // SIGTERM: the server shuts down, then the reminder thread after its round.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let stopping = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if stopping.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = std::fs::read_to_string(test_db.dir().join("serve.log")).unwrap_or_default();
    assert_eq!(soon.len(), 1, "one mail with the task due in 3 days\n{log}");
    assert!(soon[0].header("To").is_some_and(|t| t.contains(BTG)));
    assert!(status.is_some(), "serve did not stop on SIGTERM\n{log}");
    // The rounds after the first found nothing new.
    let mut conn = f.db.conn().expect("conn");
    let counts = outbox::counts(&mut conn).expect("counts");
    assert_eq!(
        (counts.pending, counts.sending, counts.dead),
        (0, 0, 0),
        "{log}"
    );
    let files = std::fs::read_dir(&mail_dir).expect("dir").count() as i64;
    assert_eq!(files, counts.sent);
}

/// Two instances planning the same day at the same moment (two `serve`s on one
/// database) record each reminder once and queue each mail once.
#[test]
fn two_planners_at_once_queue_each_mail_once() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let _f = fixture(&test_db);
        let smtp = SmtpServer::start();
        let url = dondoc::config::DatabaseUrl::parse(&test_db.url).expect("url");
        // A Monday with digests only, then a Wednesday with reminders.
        for day in ["2022-12-26", "2022-12-28"] {
            let seen = smtp.received().len();
            let barrier = Arc::new(std::sync::Barrier::new(2));
            let results: Vec<_> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..2)
                    .map(|_| {
                        let barrier = barrier.clone();
                        let url = url.clone();
                        let smtp_url = smtp.url();
                        let test_db = &test_db;
                        s.spawn(move || {
                            let db = Db::connect(&url).expect("connect");
                            let m = mailer(test_db, &db, Some(&smtp_url), "mon");
                            barrier.wait();
                            m.remind(&db, d(day), false).expect("remind")
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("planner"))
                    .collect()
            });
            let mails: usize = results.iter().map(|(q, _)| q.mails).sum();
            let reminders: usize = results.iter().map(|(q, _)| q.reminders).sum();
            let got = by_recipient(&smtp.since(seen), &["T1", "T4", "ONGOING"]);
            let want = if day == "2022-12-26" {
                expect(&[(BTG, &["T1", "ONGOING"]), (VP, &["T1", "T4"])])
            } else {
                expect(&[(BTG, &["T1"]), (VP, &["T1", "T4"])])
            };
            assert_eq!(got, want, "{backend:?} {day}");
            assert_eq!(mails, want.len(), "{backend:?} {day}");
            assert_eq!(
                reminders,
                if day == "2022-12-26" { 0 } else { 3 },
                "{backend:?} {day}"
            );
        }
    });
}

fn enqueue_keys(db: &Db, keys: &[&str]) {
    let mut conn = db.conn().expect("conn");
    for key in keys {
        outbox::enqueue(
            &mut conn,
            &outbox::NewMail {
                dedup_key: key.to_string(),
                recipient: BTG.into(),
                subject: key.to_string(),
                body_text: key.to_string(),
                body_html: key.to_string(),
            },
        )
        .expect("enqueue");
    }
}

/// A sender keeps its claims while it works, however slow the server: its
/// short lease is renewed, so no other sender takes (and sends again) what it
/// holds; a sender that dies holds its mails for one short lease only.
#[test]
fn a_live_sender_renews_its_claims_and_a_dead_one_holds_them_one_lease() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        enqueue_keys(&f.db, &["slow:a", "slow:b", "slow:c"]);
        let smtp = SmtpServer::start();
        smtp.close_gate();
        let transport =
            Transport::smtp(&url::Url::parse(&smtp.url()).expect("url")).expect("transport");
        let from: lettre::message::Mailbox = "dondoc@hanam.vn".parse().expect("from");
        let lease = Duration::from_secs(2);
        let options = DeliverOptions {
            lease,
            workers: 1,
            ..DeliverOptions::default()
        };
        let db = f.db.clone();
        let sender = std::thread::spawn(move || {
            dondoc::mail::sender::deliver(&db, &transport, &from, &options).expect("deliver")
        });
        // The first mail is on the wire and the server keeps it waiting, for
        // more than two leases.
        smtp.wait_at_gate(1);
        std::thread::sleep(lease * 2 + Duration::from_millis(500));
        let mut conn = f.db.conn().expect("conn");
        let far = storage::now() + chrono::Duration::days(1);
        assert!(
            outbox::claim(&mut conn, 10, far, lease)
                .expect("claim")
                .is_empty(),
            "{backend:?}: another sender took mails the live sender still holds"
        );
        let (held, until) = outbox::held(&mut conn).expect("held");
        assert_eq!(held, 3, "{backend:?}");
        assert!(until.expect("until") > storage::now());
        smtp.open_gate();
        let delivered = sender.join().expect("sender");
        assert_eq!(
            (delivered.sent, delivered.lost_claims),
            (3, 0),
            "{backend:?}"
        );
        let mut ids: Vec<String> = smtp.received().iter().map(|m| m.message_id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3, "{backend:?}: each mail once");
        assert_eq!(outbox::held(&mut conn).expect("held").0, 0);

        // A sender claims with the default lease and dies: the mail waits at
        // most a minute, and `held` says until when.
        enqueue_keys(&f.db, &["dead:a"]);
        let before = storage::now();
        let claimed = outbox::claim(
            &mut conn,
            10,
            storage::now(),
            dondoc::mail::sender::DEFAULT_LEASE,
        )
        .expect("claim");
        assert_eq!(claimed.len(), 1);
        let (held, until) = outbox::held(&mut conn).expect("held");
        assert_eq!(held, 1);
        let until = until.expect("until");
        assert!(
            until <= before + chrono::Duration::seconds(61),
            "{until} vs {before}"
        );
        // Once the lease is over, another sender takes it.
        sql(
            &f.db,
            &format!(
                "UPDATE mail_outbox SET next_attempt_at = '2000-01-01 00:00:00' WHERE id = {}",
                claimed[0].id
            ),
        );
        let again = outbox::claim(
            &mut conn,
            10,
            storage::now(),
            dondoc::mail::sender::DEFAULT_LEASE,
        )
        .expect("claim");
        assert_eq!(again.len(), 1, "{backend:?}");
        assert_eq!(again[0].attempts, 2);
    });
}

/// The daily run catches up the days it missed: a reminder that fell on a day
/// the server was down goes out on the next run, worded as of that run.
#[test]
fn a_day_without_a_reminder_run_is_caught_up() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let m = mailer(&test_db, &f.db, None, "off");
        let today = m.today();
        let mut conn = f.db.conn().expect("conn");
        // Seven days before its deadline (a policy day) fell two days ago.
        let input = TaskInput {
            reference: Some("NEAR".into()),
            content: "Nhiệm vụ sắp đến hạn".into(),
            lead_unit: Some("BTGTU".into()),
            coordinators: vec![],
            assigned_on: d("2022-07-07"),
            deadline: Some(today + chrono::Days::new(5)),
            original_deadline: None,
            completed_on: None,
            cancelled_on: None,
            expected_output: String::new(),
        };
        let near = storage::tasks::create(&mut conn, &input, None, None)
            .expect("task")
            .task
            .id;
        storage::reminders::set_last_run(&mut conn, today - chrono::Days::new(3))
            .expect("last run");
        drop(conn);
        // A run of today alone has nothing for it (5 days left is no policy day)…
        let plan = m.preview(&f.db, today).expect("preview");
        assert!(
            plan.mails
                .values()
                .all(|mail| mail.items.iter().all(|i| i.task_id != near)),
            "{backend:?}"
        );
        // …the daily run remembers the missed day.
        m.remind_today(&f.db, false).expect("remind");
        let q = format!("SELECT COUNT(*) AS n FROM reminders WHERE task_id = {near}");
        assert_eq!(count(&f.db, &q), 1, "{backend:?}");
        let mut conn = f.db.conn().expect("conn");
        assert_eq!(
            storage::reminders::last_run(&mut conn).expect("last run"),
            Some(today)
        );
        drop(conn);
        // Running again the same day adds nothing.
        m.remind_today(&f.db, false).expect("remind again");
        assert_eq!(count(&f.db, &q), 1, "{backend:?}");
    });
}

/// Sent mails and reminder records older than the retention period are pruned
/// by the daily run; newer ones and unsent mails stay.
#[test]
fn the_daily_run_prunes_what_is_past_retention() {
    for_both(|backend| {
        let test_db = TestDb::new(backend);
        let f = fixture(&test_db);
        let m = mailer(&test_db, &f.db, None, "off");
        enqueue_keys(&f.db, &["old:sent", "new:sent", "old:pending"]);
        let t1 = f.tasks["T1"];
        sql(&f.db, "UPDATE mail_outbox SET state = 'sent', sent_at = '2020-01-01 08:00:00' WHERE dedup_key = 'old:sent'");
        sql(&f.db, "UPDATE mail_outbox SET created_at = '2020-01-01 08:00:00', next_attempt_at = '2099-01-01 00:00:00' WHERE dedup_key = 'old:pending'");
        sql(&f.db, "UPDATE mail_outbox SET state = 'sent', sent_at = next_attempt_at WHERE dedup_key = 'new:sent'");
        sql(&f.db, &format!("INSERT INTO reminders (task_id, kind, on_date, recipient, created_at) VALUES ({t1}, 'before', '2020-01-01', 'x@hanam.vn', '2020-01-01 08:00:00')"));
        m.remind_today(&f.db, false).expect("remind");
        let keys = |k: &str| {
            count(
                &f.db,
                &format!("SELECT COUNT(*) AS n FROM mail_outbox WHERE dedup_key = '{k}'"),
            )
        };
        assert_eq!(keys("old:sent"), 0, "{backend:?}");
        assert_eq!(keys("new:sent"), 1, "{backend:?}");
        assert_eq!(keys("old:pending"), 1, "{backend:?}");
        assert_eq!(
            count(
                &f.db,
                "SELECT COUNT(*) AS n FROM reminders WHERE on_date < '2021-01-01'"
            ),
            0,
            "{backend:?}"
        );
    });
}
