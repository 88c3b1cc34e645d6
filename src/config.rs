//! Configuration from the environment (and `.env`), checked once at start.
//! A bad value stops the start with one line that names the variable.

use chrono::NaiveDate;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (or `:memory:`).
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("the SQLite URL names no file (expected sqlite://dondoc.db)".into());
            }
            return Ok(DatabaseUrl::Sqlite(path.to_string()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed =
                url::Url::parse(raw).map_err(|e| format!("not a valid PostgreSQL URL ({e})"))?;
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err("the PostgreSQL URL names no host".into());
            }
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        Err(format!(
            "'{raw}' is neither sqlite://FILE nor postgres://USER@HOST/DB"
        ))
    }

    /// What libpq is given to connect with. On the loopback interface the
    /// traffic never leaves the machine, so TLS there only costs: libpq's
    /// default (`sslmode=prefer`) would encrypt every statement and answer on
    /// both ends when the server offers TLS, as Debian's does. A URL that
    /// names its own `sslmode` (or a `host` among its parameters) is kept as
    /// it is; see `docs/deploy.md`.
    pub fn connection_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.clone(),
            DatabaseUrl::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut u)
                    if is_loopback(&u)
                        && !u.query_pairs().any(|(k, _)| k == "sslmode" || k == "host") =>
                {
                    u.query_pairs_mut().append_pair("sslmode", "disable");
                    u.to_string()
                }
                _ => raw.clone(),
            },
        }
    }

    /// The URL without its password, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
            DatabaseUrl::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut u) if u.password().is_some() => {
                    let _ = u.set_password(Some("***"));
                    u.to_string()
                }
                _ => raw.clone(),
            },
        }
    }
}

/// Whether a URL's host is this machine by its loopback address or name.
fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // `postgres:` is not a scheme the URL standard knows, so its
        // addresses come as names: "127.0.0.1", "[::1]".
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// Without a trailing slash.
    pub base_url: String,
    /// `None`: generated on first start and kept in the database.
    pub secret_key: Option<String>,
    pub smtp_url: Option<url::Url>,
    pub mail_dir: PathBuf,
    /// Where report attachments are kept (`DONDOC_FILES_DIR`, default `./files`).
    pub files_dir: PathBuf,
    /// `DONDOC_FILES_STORE`: `database` (default: shared by every instance, in
    /// every backup) or `folder` (`DONDOC_FILES_DIR`).
    pub files_in_database: bool,
    pub mail_from: lettre::message::Mailbox,
    pub tz: chrono_tz::Tz,
    /// When reminders go out (`DONDOC_REMINDER_DAYS`, `…_OVERDUE_EVERY`, `…_ESCALATE_AFTER`, `DONDOC_DIGEST_DAY`).
    pub reminder_policy: crate::domain::reminder::Policy,
    /// How often `serve` queues due reminders and delivers the outbox; zero: never.
    pub reminder_interval: std::time::Duration,
    /// A session ends unused this long (`DONDOC_SESSION_IDLE`, seconds, default 7200).
    pub session_idle: chrono::Duration,
    /// A session ends this long after sign-in (`DONDOC_SESSION_MAX`, seconds, default 43200).
    pub session_max: chrono::Duration,
    /// Sent mails and reminder records older than this many days are deleted
    /// (`DONDOC_MAIL_RETENTION_DAYS`, default 180).
    pub mail_retention_days: u32,
    /// `DONDOC_LOG_FORMAT`: `text` (default) or `json` (one object a line, with the request id).
    pub log_json: bool,
    /// `DONDOC_METRICS_TOKEN`: the bearer token `GET /metrics` asks for; unset: no metrics.
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`DONDOC_TRUSTED_PROXIES`, default none).
    pub trusted_proxies: crate::domain::client::TrustedProxies,
    /// Task lists exported (CSV, XLSX) at once by this instance at most
    /// (`DONDOC_MAX_EXPORTS`, default 2); the next one is asked to come back.
    pub max_exports: usize,
    /// Page and API reads (GET, HEAD) this instance answers at once; the next
    /// ones wait their turn, writes never do (`DONDOC_READS_AT_ONCE`; default on
    /// SQLite four per core, at least eight; on PostgreSQL two per core, at least four).
    pub reads_at_once: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

pub const MIN_SECRET_KEY_LEN: usize = 32;

impl Config {
    /// Reads `.env` if there is one, then the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        if let Err(e) = dotenvy::dotenv() {
            if !e.not_found() {
                return Err(ConfigError {
                    variable: ".env",
                    message: e.to_string(),
                });
            }
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let err = |variable: &'static str, message: String| ConfigError { variable, message };

        let database_url =
            DatabaseUrl::parse(&var("DATABASE_URL").unwrap_or_else(|| "sqlite://dondoc.db".into()))
                .map_err(|m| err("DATABASE_URL", m))?;

        let bind_raw = var("DONDOC_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_raw
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| err("DONDOC_BIND", format!("'{bind_raw}' is not an address to listen on (expected HOST:PORT, e.g. 127.0.0.1:8080)")))?;

        let base_raw = var("DONDOC_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into());
        let base = url::Url::parse(&base_raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                err(
                    "DONDOC_BASE_URL",
                    format!("'{base_raw}' is not an http(s) URL"),
                )
            })?;
        let base_url = base.as_str().trim_end_matches('/').to_string();

        let secret_key = var("DONDOC_SECRET_KEY");
        if let Some(key) = &secret_key {
            if key.len() < MIN_SECRET_KEY_LEN {
                return Err(err(
                    "DONDOC_SECRET_KEY",
                    format!(
                        "too short ({} characters; at least {MIN_SECRET_KEY_LEN})",
                        key.len()
                    ),
                ));
            }
        }

        let smtp_url = match var("SMTP_URL") {
            None => None,
            Some(raw) => {
                let u = url::Url::parse(&raw)
                    .map_err(|e| err("SMTP_URL", format!("not a URL ({e})")))?;
                if !matches!(u.scheme(), "smtp" | "smtps") || u.host_str().is_none_or(str::is_empty)
                {
                    return Err(err(
                        "SMTP_URL",
                        "expected smtp://HOST[:PORT] or smtps://HOST[:PORT]".into(),
                    ));
                }
                Some(u)
            }
        };

        let mail_dir = PathBuf::from(var("DONDOC_MAIL_DIR").unwrap_or_else(|| "./mail".into()));
        let files_dir = PathBuf::from(var("DONDOC_FILES_DIR").unwrap_or_else(|| "./files".into()));

        let from_raw = var("DONDOC_MAIL_FROM").unwrap_or_else(|| "dondoc@localhost".into());
        let mail_from = from_raw.parse::<lettre::message::Mailbox>().map_err(|e| {
            err(
                "DONDOC_MAIL_FROM",
                format!("'{from_raw}' is not an email address ({e})"),
            )
        })?;

        let tz_raw = var("DONDOC_TZ").unwrap_or_else(|| "Asia/Ho_Chi_Minh".into());
        let tz = tz_raw.parse::<chrono_tz::Tz>().map_err(|_| {
            err(
                "DONDOC_TZ",
                format!("'{tz_raw}' is not a time zone name (e.g. Asia/Ho_Chi_Minh)"),
            )
        })?;

        let reminder_policy = {
            use crate::domain::reminder::Policy;
            let days = Policy::parse_days(
                &get("DONDOC_REMINDER_DAYS").unwrap_or_else(|| "7,3,1,0".into()),
            )
            .map_err(|e| err("DONDOC_REMINDER_DAYS", e.to_string()))?;
            let every = Policy::parse_every(
                &var("DONDOC_REMINDER_OVERDUE_EVERY").unwrap_or_else(|| "3".into()),
            )
            .map_err(|e| err("DONDOC_REMINDER_OVERDUE_EVERY", e.to_string()))?;
            let escalate = Policy::parse_escalate_after(
                &var("DONDOC_REMINDER_ESCALATE_AFTER").unwrap_or_else(|| "7".into()),
            )
            .map_err(|e| err("DONDOC_REMINDER_ESCALATE_AFTER", e.to_string()))?;
            let digest =
                Policy::parse_digest_day(&var("DONDOC_DIGEST_DAY").unwrap_or_else(|| "mon".into()))
                    .map_err(|e| err("DONDOC_DIGEST_DAY", e.to_string()))?;
            Policy::new(&days, every, escalate, digest)
                .map_err(|e| err("DONDOC_REMINDER_DAYS", e.to_string()))?
        };

        let interval_raw = var("DONDOC_REMINDER_INTERVAL").unwrap_or_else(|| "300".into());
        let reminder_interval = interval_raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= 86_400)
            .map(std::time::Duration::from_secs)
            .ok_or_else(|| {
                err(
                    "DONDOC_REMINDER_INTERVAL",
                    format!(
                        "'{interval_raw}' is not a number of seconds between 0 (off) and 86400"
                    ),
                )
            })?;

        let seconds =
            |variable: &'static str, default: i64| -> Result<chrono::Duration, ConfigError> {
                let raw = var(variable).unwrap_or_else(|| default.to_string());
                raw.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|s| (60..=31 * 86_400).contains(s))
                    .map(chrono::Duration::seconds)
                    .ok_or_else(|| {
                        err(
                            variable,
                            format!("'{raw}' is not a number of seconds between 60 and 2678400"),
                        )
                    })
            };
        let session_idle = seconds("DONDOC_SESSION_IDLE", 7200)?;
        let session_max = seconds("DONDOC_SESSION_MAX", 43_200)?;
        if session_idle > session_max {
            return Err(err(
                "DONDOC_SESSION_IDLE",
                format!(
                    "{} seconds is longer than DONDOC_SESSION_MAX ({} seconds)",
                    session_idle.num_seconds(),
                    session_max.num_seconds()
                ),
            ));
        }

        let retention_raw = var("DONDOC_MAIL_RETENTION_DAYS").unwrap_or_else(|| "180".into());
        let mail_retention_days = retention_raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (7..=3650).contains(d))
            .ok_or_else(|| {
                err(
                    "DONDOC_MAIL_RETENTION_DAYS",
                    format!("'{retention_raw}' is not a number of days between 7 and 3650"),
                )
            })?;

        let log_json = match var("DONDOC_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(err(
                    "DONDOC_LOG_FORMAT",
                    format!("'{other}' is not a log format (text or json)"),
                ))
            }
        };
        let metrics_token = var("DONDOC_METRICS_TOKEN").map(|t| t.trim().to_string());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(err(
                "DONDOC_METRICS_TOKEN",
                "is shorter than 16 characters".into(),
            ));
        }

        let files_in_database = match var("DONDOC_FILES_STORE").as_deref().map(str::trim) {
            None | Some("database") => true,
            Some("folder") => false,
            Some(other) => {
                return Err(err(
                    "DONDOC_FILES_STORE",
                    format!("'{other}' is not a place for files (database or folder)"),
                ))
            }
        };
        let trusted_proxies = crate::domain::client::TrustedProxies::parse(
            &var("DONDOC_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|m| err("DONDOC_TRUSTED_PROXIES", m))?;

        let count =
            |name: &'static str, default: usize, what: &str| -> Result<usize, ConfigError> {
                let raw = var(name).unwrap_or_else(|| default.to_string());
                raw.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or_else(|| {
                        err(
                            name,
                            format!("'{raw}' is not a number of {what} between 1 and 64"),
                        )
                    })
            };
        let max_exports = count("DONDOC_MAX_EXPORTS", 2, "exports")?;
        // On SQLite a read's database work runs in this process, on the cores the
        // turns share out; on PostgreSQL part of it runs in the database, which the
        // writes need as well, so fewer reads go at once (benches/README.md, load).
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let reads_default = match database_url {
            DatabaseUrl::Sqlite(_) => (4 * cores).clamp(8, 64),
            DatabaseUrl::Postgres(_) => (2 * cores).clamp(4, 64),
        };
        let reads_at_once = count("DONDOC_READS_AT_ONCE", reads_default, "reads")?;

        Ok(Config {
            database_url,
            bind,
            base_url,
            secret_key,
            smtp_url,
            mail_dir,
            files_dir,
            files_in_database,
            mail_from,
            tz,
            reminder_policy,
            reminder_interval,
            session_idle,
            session_max,
            mail_retention_days,
            log_json,
            metrics_token,
            trusted_proxies,
            max_exports,
            reads_at_once,
        })
    }

    /// Today's calendar date in the configured time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).expect("defaults");
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("dondoc.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(c.smtp_url.is_none());
        assert_eq!(c.mail_dir, PathBuf::from("./mail"));
        assert_eq!(c.tz, chrono_tz::Asia::Ho_Chi_Minh);
        assert!(c.secret_key.is_none());
        assert!(
            c.trusted_proxies.is_empty(),
            "no proxy is trusted unless named"
        );
    }

    #[test]
    fn postgres_on_this_machine_connects_without_tls_unless_the_url_says() {
        let plain = |raw: &str| {
            DatabaseUrl::parse(raw)
                .expect("url")
                .connection_string()
                .contains("sslmode=disable")
        };
        assert!(plain("postgres://postgres@127.0.0.1:5432/db"));
        assert!(plain("postgres://u:p@localhost/db"));
        assert!(plain(
            "postgresql://u@[::1]:5432/db?application_name=dondoc"
        ));
        assert!(plain("postgres://u@127.0.0.2/db"));
        assert!(!plain("postgres://u@db.tinh.gov.vn/db"));
        assert!(!plain("postgres://u@10.0.0.5/db"));
        assert!(!plain("postgres://u@127.0.0.1/db?sslmode=require"));
        assert!(!plain("postgres://u@localhost/db?host=/run/postgresql"));
        assert_eq!(
            DatabaseUrl::parse("postgres://u@127.0.0.1/db?sslmode=verify-full")
                .expect("url")
                .connection_string(),
            "postgres://u@127.0.0.1/db?sslmode=verify-full"
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://x.db")
                .expect("url")
                .connection_string(),
            "x.db"
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "sqlite://"),
            ("DATABASE_URL", "postgres://"),
            ("DONDOC_BIND", "localhost"),
            ("DONDOC_BIND", "127.0.0.1:99999"),
            ("DONDOC_BASE_URL", "ftp://x"),
            ("DONDOC_BASE_URL", "not a url"),
            ("DONDOC_SECRET_KEY", "short"),
            ("SMTP_URL", "http://mail"),
            ("SMTP_URL", "smtp//mail"),
            ("DONDOC_MAIL_FROM", "not an address"),
            ("DONDOC_TZ", "Mars/Olympus"),
            ("DONDOC_REMINDER_DAYS", "7;3"),
            ("DONDOC_REMINDER_DAYS", "-1"),
            ("DONDOC_REMINDER_OVERDUE_EVERY", "0"),
            ("DONDOC_REMINDER_OVERDUE_EVERY", "every day"),
            ("DONDOC_REMINDER_ESCALATE_AFTER", "-7"),
            ("DONDOC_DIGEST_DAY", "thứ hai"),
            ("DONDOC_REMINDER_INTERVAL", "5m"),
            ("DONDOC_REMINDER_INTERVAL", "100000"),
            ("DONDOC_SESSION_IDLE", "2h"),
            ("DONDOC_SESSION_IDLE", "10"),
            ("DONDOC_SESSION_MAX", "-1"),
            ("DONDOC_MAIL_RETENTION_DAYS", "3"),
            ("DONDOC_LOG_FORMAT", "xml"),
            ("DONDOC_FILES_STORE", "s3"),
            ("DONDOC_METRICS_TOKEN", "short"),
            ("DONDOC_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("DONDOC_TRUSTED_PROXIES", "10.0.0.0/40"),
            ("DONDOC_MAX_EXPORTS", "0"),
            ("DONDOC_MAX_EXPORTS", "two"),
            ("DONDOC_READS_AT_ONCE", "0"),
            ("DONDOC_READS_AT_ONCE", "many"),
        ];
        for (var, value) in cases {
            let e = config(&[(var, value)]).expect_err(var);
            assert_eq!(e.variable, var, "{value}");
            assert!(e.to_string().starts_with(var));
            assert!(!e.to_string().contains('\n'));
        }
    }

    #[test]
    fn accepted_values() {
        let c = config(&[
            (
                "DATABASE_URL",
                "postgres://postgres:pw@127.0.0.1:5432/dondoc",
            ),
            ("DONDOC_BASE_URL", "https://dondoc.example.vn/"),
            ("SMTP_URL", "smtps://user:pass@mail.example.vn:465"),
            ("DONDOC_MAIL_FROM", "Dôn đốc <dondoc@example.vn>"),
            ("DONDOC_TZ", "UTC"),
            ("DONDOC_SECRET_KEY", &"k".repeat(40)),
        ])
        .expect("config");
        assert!(matches!(c.database_url, DatabaseUrl::Postgres(_)));
        assert_eq!(
            c.database_url.redacted(),
            "postgres://postgres:***@127.0.0.1:5432/dondoc"
        );
        assert_eq!(c.base_url, "https://dondoc.example.vn");
        assert_eq!(c.mail_from.email.to_string(), "dondoc@example.vn");
        assert_eq!(c.max_exports, 2, "the default");
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert_eq!(
            c.reads_at_once,
            (2 * cores).clamp(4, 64),
            "on PostgreSQL two per core, at least four"
        );
        let c = config(&[("DONDOC_MAX_EXPORTS", " 5 ")]).expect("config");
        assert_eq!(c.max_exports, 5);
        assert_eq!(
            c.reads_at_once,
            (4 * cores).clamp(8, 64),
            "on SQLite four per core, at least eight"
        );
        let c = config(&[("DONDOC_READS_AT_ONCE", "12")]).expect("config");
        assert_eq!(c.reads_at_once, 12);
    }

    #[test]
    fn reminder_settings() {
        use chrono::Weekday;
        let c = config(&[]).expect("defaults");
        assert_eq!(
            c.reminder_policy,
            crate::domain::reminder::Policy::default()
        );
        assert_eq!(c.reminder_interval, std::time::Duration::from_secs(300));
        let c = config(&[
            ("DONDOC_REMINDER_DAYS", "14, 7,0"),
            ("DONDOC_REMINDER_OVERDUE_EVERY", "2"),
            ("DONDOC_REMINDER_ESCALATE_AFTER", "10"),
            ("DONDOC_DIGEST_DAY", "fri"),
            ("DONDOC_REMINDER_INTERVAL", "0"),
        ])
        .expect("config");
        assert_eq!(c.reminder_policy.days_before(), &[14, 7, 0]);
        assert_eq!(c.reminder_policy.overdue_every(), 2);
        assert_eq!(c.reminder_policy.escalate_after(), 10);
        assert_eq!(c.reminder_policy.digest_day(), Some(Weekday::Fri));
        assert!(c.reminder_interval.is_zero());
        // An empty list turns the reminders before the deadline off.
        let c =
            config(&[("DONDOC_REMINDER_DAYS", ""), ("DONDOC_DIGEST_DAY", "off")]).expect("config");
        assert!(c.reminder_policy.days_before().is_empty());
        assert_eq!(c.reminder_policy.digest_day(), None);
    }

    #[test]
    fn sqlite_url_forms() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/dondoc.db"),
            Ok(DatabaseUrl::Sqlite("/var/lib/dondoc.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:data/x.db"),
            Ok(DatabaseUrl::Sqlite("data/x.db".into()))
        );
    }
}
