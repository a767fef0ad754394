//! Browser tests: the pages in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, at a phone's size (390×844).
//!
//! Every page a journey visits is checked with [`Browser::check_page`]: no console errors (a
//! blocked inline script or a failed asset shows there), no axe-core violation of serious or
//! critical impact (WCAG 2.1 AA rules; axe-core is vendored in `tests/support/axe.min.js`), and
//! a first load under 150 KB transferred. Screenshots go to `target/screenshots/`, or to
//! `docs/screenshots/` with `BURSA_SCREENSHOTS=docs` (how the README's pictures are made).
//!
//! When no chromedriver is installed, the browser tests are skipped with a notice, unless `CI`
//! or `BURSA_TEST_REQUIRE_BROWSER` is set: then they fail.

// Helpers for the journeys to come (forms) are kept with the harness.
#![allow(dead_code)]

mod account;
mod booth;
pub mod confirm;
mod dashboard;
mod desk;
mod door;
mod follow_up;
mod ipk3;
mod pages;
mod phone;
mod public;
mod seeker;

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// axe-core 4.14.1 (MPL-2.0), from the npm package `axe-core`.
const AXE: &str = include_str!("../../support/axe.min.js");
/// The page weight budget of a first load.
pub const MAX_PAGE_BYTES: u64 = 150 * 1024;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("BURSA_TEST_REQUIRE_BROWSER").is_some()
}

/// A Chromium of its own for one test, through a chromedriver of its own.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    base: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// A browser for pages under `base` (the test app's URL without a trailing slash), or `None`
    /// when this machine has no chromedriver and the browser is not required.
    pub async fn start(base: &str) -> Option<Browser> {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            assert!(
                !required(),
                "the browser tests are required (CI) but {CHROMEDRIVER} is missing: \
                 apt-get install chromium chromium-driver"
            );
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: {CHROMEDRIVER} is missing: a browser test was skipped"
            );
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile folder");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--window-size=390,844",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "mobileEmulation": {
                    "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": true}
                },
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                        base: base.trim_end_matches('/').to_owned(),
                    });
                }
                Err(e) => {
                    last_error = Some(e);
                    tokio_sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("no WebDriver session: {last_error:?}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.expect("navigate");
    }

    /// The path of the page the browser shows now.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on {}: {e}", self.base))
            .text()
            .await
            .expect("text")
    }

    /// Waits (up to 5 s) for the page a form's submit loads to show `expected` in `css`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        for _ in 0..50 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if element.text().await.is_ok_and(|t| t.contains(expected)) {
                    return;
                }
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(self.text(css).await.contains(expected), "{css}: {expected}");
    }

    /// The whole visible text of the page.
    pub async fn body(&self) -> String {
        self.text("body").await
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no field {css}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Clicks what submits a form or follows a link, and waits until the next page has loaded
    /// (a click returns before the navigation it starts).
    pub async fn click_and_load(&self, css: &str) {
        self.client
            .execute("window.bursaOldPage = true; return true;", vec![])
            .await
            .expect("mark the page");
        self.click(css).await;
        for _ in 0..100 {
            let loaded = self
                .client
                .execute(
                    "return window.bursaOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or_default();
            if loaded == Value::Bool(true) {
                return;
            }
            tokio_sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page loaded after clicking {css}");
    }

    /// The browser console's entries of level SEVERE since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let logs = self
            .client
            .issue_cmd(GetLog)
            .await
            .expect("the browser log");
        logs.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The bytes the current page's first load transferred: the document and every resource.
    pub async fn transferred_bytes(&self) -> u64 {
        let total = self
            .client
            .execute(
                "return performance.getEntriesByType('navigation')
                   .concat(performance.getEntriesByType('resource'))
                   .reduce(function (sum, e) { return sum + (e.transferSize || 0); }, 0);",
                vec![],
            )
            .await
            .expect("performance entries");
        total.as_f64().unwrap_or(0.0) as u64
    }

    /// axe-core's violations of serious or critical impact on the current page, as
    /// `rule: target` lines.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        // WebDriver scripts run outside the page's Content-Security-Policy.
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe-core loads");
        let result = self
            .client
            .execute_async(
                "var done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values:
                   ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
                   .then(function (r) { done(r.violations.map(function (v) {
                     return {id: v.id, impact: v.impact,
                             targets: v.nodes.map(function (n) { return n.target.join(' '); })};
                   })); })
                   .catch(function (e) { done([{id: 'axe-error', impact: 'critical',
                                                 targets: [String(e)]}]); });",
                vec![],
            )
            .await
            .expect("axe-core runs");
        result
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{}: {}", v["id"], v["targets"]))
            .collect()
    }

    /// Everything a page must be, checked on the page the browser shows now: no console
    /// errors, no serious accessibility violation, within the weight budget, `lang` set; and a
    /// screenshot named `name`.
    pub async fn check_page(&self, name: &str) {
        self.check(name, false).await;
    }

    /// [`Self::check_page`] for a page answered with an error status, which the console
    /// reports about the document itself (and only that is let through).
    pub async fn check_error_page(&self, name: &str) {
        self.check(name, true).await;
    }

    async fn check(&self, name: &str, error_status: bool) {
        let path = self.path().await;
        let own = self.url(&path);
        let errors: Vec<String> = self
            .console_errors()
            .await
            .into_iter()
            .filter(|e| !(error_status && e.starts_with(&format!("{own} "))))
            .collect();
        assert!(errors.is_empty(), "console errors on {path}: {errors:#?}");
        let lang = self
            .client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .expect("lang");
        assert!(
            matches!(lang.as_str(), Some("id" | "en")),
            "{path} has no lang: {lang}"
        );
        let bytes = self.transferred_bytes().await;
        assert!(
            bytes > 0 && bytes < MAX_PAGE_BYTES,
            "{path} transferred {bytes} bytes (budget {MAX_PAGE_BYTES})"
        );
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "accessibility violations on {path}: {violations:#?}"
        );
        self.screenshot(name).await;
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = match std::env::var("BURSA_SCREENSHOTS").as_deref() {
            Ok("docs") => concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screenshots"),
            _ => concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots"),
        };
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(format!("{dir}/{name}.png"), png);
    }

    /// Ends the browser session; dropping the `Browser` then stops its chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn tokio_sleep(d: Duration) {
    actix_web::rt::time::sleep(d).await;
}

/// ChromeDriver's log endpoint (`POST /session/{id}/se/log`), which WebDriver itself lacks.
#[derive(Debug)]
struct GetLog;

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
