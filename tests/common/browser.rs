//! A real headless Chromium driven through chromedriver (WebDriver).
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One chromedriver process and one browser session; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    pub base: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The screen a browser shows pages on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// A desktop window this many CSS pixels wide.
    Desktop(u32),
    /// A phone this many CSS pixels wide: touch, a device pixel ratio of 3 and
    /// a mobile layout viewport (which Chromium widens to fit wide content).
    Phone(u32),
}

impl Screen {
    pub fn width(self) -> u32 {
        match self {
            Screen::Desktop(w) | Screen::Phone(w) => w,
        }
    }
}

impl Browser {
    pub async fn start(base: &str) -> Browser {
        Browser::start_with(base, None, Screen::Desktop(1280)).await
    }

    /// A browser that saves the files it downloads into `dir`, without asking.
    pub async fn start_downloading(base: &str, dir: &std::path::Path) -> Browser {
        Browser::start_with(base, Some(dir), Screen::Desktop(1280)).await
    }

    /// A browser on that screen.
    pub async fn start_on(base: &str, screen: Screen) -> Browser {
        Browser::start_with(base, None, screen).await
    }

    async fn start_with(
        base: &str,
        downloads: Option<&std::path::Path>,
        screen: Screen,
    ) -> Browser {
        let port = free_port();
        let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{driver_path} (apt-get install chromium chromium-driver): {e}")
            });
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", format!("--window-size={},900", screen.width()), "--lang=vi-VN",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        if let (Screen::Phone(width), Some(options)) = (screen, caps.get_mut("goog:chromeOptions"))
        {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 3.0, "mobile": true, "touch": true},
            });
        }
        if let (Some(dir), Some(options)) = (downloads, caps.get_mut("goog:chromeOptions")) {
            options["prefs"] = serde_json::json!({
                "download.default_directory": dir.display().to_string(),
                "download.prompt_for_download": false,
            });
        }
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver did not start a session: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
            base: base.to_string(),
        }
    }

    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .expect("goto");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the current path (with query) satisfies `ok`, e.g. after a form is sent.
    pub async fn wait_path(&self, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let path = self.path().await;
            if ok(&path) || started.elapsed() > Duration::from_secs(10) {
                return path;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Chooses the option of this value in a `<select>`.
    pub async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    pub async fn html_lang(&self) -> String {
        self.client
            .find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("lang")
            .await
            .expect("lang")
            .unwrap_or_default()
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        // Signed in (another page) or refused (the message): either way the answer is in.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if !self.path().await.starts_with("/login")
                || self.client.find(Locator::Css("#login-error")).await.is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an element is on the page (after a form is sent); whether it came.
    pub async fn wait_for(&self, css: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if self.client.find(Locator::Css(css)).await.is_ok() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
