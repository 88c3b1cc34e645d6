//! Where mails go: an SMTP server (`SMTP_URL`), or `.eml` files in
//! `DONDOC_MAIL_DIR` when none is configured. Both take the same built message.
//!
//! `SMTP_URL` forms:
//! - `smtp://HOST[:PORT]`: plain SMTP (port 25), for a trusted local relay;
//! - `smtp://HOST[:PORT]?tls=starttls`: STARTTLS required (port 587);
//! - `smtps://HOST[:PORT]`: TLS from the first byte (port 465);
//! - `user:password@` before the host (percent-encoded) to log in.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport as _};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::MailError;

/// How long one SMTP command may take before the try counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub enum Transport {
    Smtp {
        transport: SmtpTransport,
        /// The URL without its password, for logs.
        shown: String,
    },
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why a mail was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    pub message: String,
    /// The server refused this mail for good (5xx): trying again will not help.
    pub permanent: bool,
    /// The server could not be reached or the connection broke: every other mail
    /// would fail the same way now.
    pub unreachable: bool,
}

impl std::fmt::Display for SendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Transport {
    pub fn from_config(config: &crate::config::Config) -> Result<Transport, MailError> {
        match &config.smtp_url {
            Some(url) => Transport::smtp(url),
            None => Ok(Transport::Files(config.mail_dir.clone())),
        }
    }

    pub fn smtp(url: &url::Url) -> Result<Transport, MailError> {
        let bad = |m: String| MailError::Config {
            variable: "SMTP_URL",
            message: m,
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("the URL names no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let mut starttls = false;
        for (name, value) in url.query_pairs() {
            match (name.as_ref(), value.as_ref()) {
                ("tls", "starttls" | "required") => starttls = true,
                ("tls", "none" | "off") => starttls = false,
                (name, value) => {
                    return Err(bad(format!(
                        "unknown option {name}={value} (only tls=starttls is known)"
                    )))
                }
            }
        }
        let tls_params =
            || TlsParameters::new(host.clone()).map_err(|e| bad(format!("TLS for {host}: {e}")));
        let (tls, default_port) = match url.scheme() {
            "smtps" => (Tls::Wrapper(tls_params()?), 465),
            "smtp" if starttls => (Tls::Required(tls_params()?), 587),
            "smtp" => (Tls::None, 25),
            other => {
                return Err(bad(format!(
                    "unknown scheme {other}:// (smtp:// or smtps://)"
                )))
            }
        };
        let mut builder = SmtpTransport::builder_dangerous(host.as_str())
            .port(url.port().unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(
                PoolConfig::new()
                    .max_size(4)
                    .idle_timeout(Duration::from_secs(60)),
            );
        if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s).map_err(|_| {
                    bad("the user or password is not valid percent-encoded UTF-8".into())
                })
            };
            let user = decode(url.username())?;
            let password = decode(url.password().unwrap_or(""))?;
            builder = builder.credentials(Credentials::new(user, password));
        }
        let mut shown = url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        Ok(Transport::Smtp {
            transport: builder.build(),
            shown: shown.to_string(),
        })
    }

    pub fn files(dir: impl Into<PathBuf>) -> Transport {
        Transport::Files(dir.into())
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { shown, .. } => shown.clone(),
            Transport::Files(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Delivers one message. `id` names its file when mails go to files (so a
    /// message written again replaces its file instead of adding one).
    pub fn send(&self, id: i64, message: &Message) -> Result<(), SendFailure> {
        match self {
            Transport::Smtp { transport, .. } => transport.send(message).map(|_| ()).map_err(|e| {
                // A reply from the server is about this mail; anything else (refused
                // connection, TLS, time-out, broken pipe) is about the server.
                let unreachable = !e.is_response() || e.is_timeout();
                SendFailure {
                    permanent: e.is_permanent(),
                    unreachable,
                    message: one_line(&e.to_string()),
                }
            }),
            Transport::Files(dir) => {
                write_eml(dir, id, &message.formatted()).map_err(|e| SendFailure {
                    message: format!("{}: {e}", dir.display()),
                    permanent: false,
                    unreachable: true,
                })
            }
        }
    }
}

/// Writes `mail-{id}.eml` whole or not at all (a temporary file, then a rename).
fn write_eml(dir: &Path, id: i64, bytes: &[u8]) -> std::io::Result<()> {
    crate::private_files::create_dir_all(dir)?;
    let name = format!("mail-{id:08}.eml");
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = crate::private_files::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(name))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn percent_decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let hex = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(url: &str) -> Result<Transport, MailError> {
        Transport::smtp(&url::Url::parse(url).expect("url"))
    }

    #[test]
    fn url_forms() {
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.vn?tls=starttls",
            "smtps://user%40x.vn:p%C3%A2ss@mail.example.vn:465",
            "smtp://[::1]:25",
        ] {
            assert!(smtp(ok).is_ok(), "{ok}");
        }
        let shown = smtp("smtps://u:secret@mail.example.vn")
            .expect("ok")
            .describe();
        assert!(!shown.contains("secret"), "{shown}");
        for bad in [
            "smtp://mail.example.vn?tls=maybe",
            "smtp://mail.example.vn?x=1",
            "smtps://u:%zz@mail",
        ] {
            let e = smtp(bad).expect_err(bad);
            assert!(e.to_string().starts_with("SMTP_URL: "), "{e}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%20c"), Ok("a@b c".into()));
        assert_eq!(percent_decode("%C3%A2"), Ok("â".into()));
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%FF").is_err());
    }

    #[test]
    fn files_are_written_whole_under_the_mail_id() {
        let dir = tempfile::tempdir().expect("dir");
        let t = Transport::files(dir.path().join("mail"));
        let m = Message::builder()
            .from("dondoc@localhost".parse().expect("from"))
            .to("btg@example.vn".parse().expect("to"))
            .subject("Nhắc việc")
            .body("nội dung".to_string())
            .expect("message");
        t.send(7, &m).expect("written");
        t.send(7, &m).expect("written again");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("mail"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["mail-00000007.eml".to_string()]);
    }
}
