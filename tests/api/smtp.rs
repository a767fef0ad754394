//! A real SMTP server for the mail tests: `tests/support/smtp_server.py` (aiosmtpd) on a free
//! port, saving each message it accepts as JSON in a temporary folder. It can be stopped and
//! started again on the same port, for the outage tests.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bursa::config::{MailConfig, SmtpUrl};
use serde_json::Value;

use crate::common::TestApp;

/// A Python 3 that has aiosmtpd: `BURSA_TEST_PYTHON`, else `python3` or `/usr/bin/python3`.
/// When none has it, `python3 -m pip install --user aiosmtpd` once (PyPI), so that `cargo test`
/// sets up what it needs on a fresh machine.
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let candidates: Vec<String> = std::env::var("BURSA_TEST_PYTHON")
            .into_iter()
            .chain(["python3".to_owned(), "/usr/bin/python3".to_owned()])
            .collect();
        let has_aiosmtpd = |python: &str| {
            Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if let Some(python) = candidates.iter().find(|p| has_aiosmtpd(p)) {
            return python.clone();
        }
        let installed = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--user", "aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if installed && has_aiosmtpd("python3") {
            return "python3".to_owned();
        }
        panic!(
            "the mail tests need Python 3 with aiosmtpd, a real SMTP server, and installing it \
             with pip failed: install it with `apt-get install python3-aiosmtpd` or \
             `pip install aiosmtpd` (.ci/run does), or point BURSA_TEST_PYTHON at a Python that \
             has it"
        )
    })
}

pub struct SmtpServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<(Child, ChildStdin)>,
}

impl SmtpServer {
    /// A running server on a free port.
    pub fn start() -> SmtpServer {
        // A port free when asked may be taken before the server binds it (by another test's
        // outgoing connection, say): then another port.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut server = SmtpServer {
                port,
                dir: tempfile::tempdir().expect("temp dir"),
                child: None,
            };
            if server.try_resume() {
                return server;
            }
        }
        panic!("the SMTP server did not start on any of five free ports");
    }

    /// Starts the server (again) on its port; the messages it received before are kept. The
    /// port, free since [`stop`](Self::stop), may be held a moment by another test's outgoing
    /// connection: it is tried for up to 10 s.
    pub fn resume(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.try_resume() {
            assert!(
                Instant::now() < deadline,
                "the SMTP server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts the server on its port: whether it is listening (false when it could not bind).
    fn try_resume(&mut self) -> bool {
        assert!(self.child.is_none(), "the SMTP server is running already");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP server");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read from the SMTP server");
        if line.trim() != "ready" {
            // It exited (the port was taken), or is about to.
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        self.child = Some((child, stdin));
        true
    }

    /// Stops the server: connections to its port are refused until [`resume`](Self::resume).
    pub fn stop(&mut self) {
        if let Some((mut child, mut stdin)) = self.child.take() {
            let _ = stdin.flush();
            drop(stdin);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in the order received.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read the mail folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("JSON"))
            .collect()
    }

    /// Waits (up to 20 s) until at least `n` messages have arrived, and returns them all.
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if messages.len() >= n || Instant::now() > deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The app's mail configuration, sending to `smtp` (or to the `.eml` folder when `None`), with
/// short retry delays so that tests need not wait.
pub fn mail_config(app: &TestApp, smtp: Option<&SmtpServer>) -> MailConfig {
    let mut config = app.state.config.mail.clone();
    config.smtp_url = smtp.map(|s| SmtpUrl(s.url()));
    config.poll_interval = Duration::from_millis(50);
    config.retry_base = Duration::from_millis(100);
    config.retry_max = Duration::from_millis(400);
    config
}

/// The first link in `text` that starts with `prefix`, and the value of its `token` parameter.
pub fn token_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no link {prefix} in: {text}"));
    let rest = &text[start + prefix.len()..];
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
