//! A local fake of the WhatsApp Business Cloud API: `POST /{phone_number_id}/messages`. It
//! checks each request's shape as the real API would (path, bearer token, JSON fields, a `to`
//! of digits only, a known template and language, its parameters), records the messages it
//! accepts, answers with the real success body, and can be told to fail for a while (an
//! outage: 5xx) or to refuse (a 4xx with the API's error body).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bursa::config::{MailConfig, WhatsappCloud};
use serde_json::{json, Value};

use crate::common::TestApp;

pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const TOKEN: &str = "EAAG-test-whatsapp-token-7f3a";

#[derive(Default)]
struct State {
    /// Accepted messages, in order.
    received: Vec<Value>,
    /// Requests refused for their shape: what was wrong.
    problems: Vec<String>,
    /// Statuses to answer the next requests with, instead of accepting them.
    failures: VecDeque<u16>,
    /// Refuse every request with this status until cleared.
    refuse: Option<u16>,
    requests: usize,
}

pub struct FakeWhatsapp {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeWhatsapp {
    pub fn start() -> FakeWhatsapp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = state.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let _ = handle(stream, &state);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FakeWhatsapp {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `WHATSAPP_API_URL` for this fake.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v21.0", self.port)
    }

    /// The next `n` requests get `status` (an outage when 5xx).
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut state = self.state.lock().unwrap();
        state.failures.extend(std::iter::repeat_n(status, n));
    }

    /// Every request gets `status` until [`FakeWhatsapp::heal`].
    pub fn refuse(&self, status: u16) {
        self.state.lock().unwrap().refuse = Some(status);
    }

    pub fn heal(&self) {
        let mut state = self.state.lock().unwrap();
        state.refuse = None;
        state.failures.clear();
    }

    pub fn messages(&self) -> Vec<Value> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }

    /// What was wrong with the requests refused for their shape: none, in every test.
    pub fn problems(&self) -> Vec<String> {
        self.state.lock().unwrap().problems.clone()
    }

    /// Waits (up to 20 s) until `n` messages arrived.
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {n} WhatsApp messages; got {messages:?}; problems {:?}",
                self.problems()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last code sent by WhatsApp to `to` (digits, no `+`).
    pub fn code_for(&self, to: &str) -> String {
        self.messages()
            .iter()
            .rev()
            .find(|m| m["to"] == to && m["template"]["name"] == "bursa_sign_in_code")
            .map(|m| {
                m["template"]["components"][0]["parameters"][0]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .unwrap_or_else(|| panic!("no code sent to {to}"))
    }
}

impl Drop for FakeWhatsapp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The app's outbox configuration, sending WhatsApp to `fake` (or to a `.json` folder when
/// `None`), email to a folder, with short retry delays so that tests need not wait.
pub fn outbox_config(
    app: &TestApp,
    fake: Option<&FakeWhatsapp>,
    dir: &std::path::Path,
) -> MailConfig {
    let mut config = app.state.config.mail.clone();
    config.smtp_url = None;
    config.dir = dir.join("mail");
    config.poll_interval = Duration::from_millis(50);
    config.retry_base = Duration::from_millis(50);
    config.retry_max = Duration::from_millis(200);
    config.whatsapp.dir = dir.join("whatsapp");
    if let Some(fake) = fake {
        config.whatsapp.api_url = fake.url();
        config.whatsapp.cloud = Some(WhatsappCloud {
            phone_number_id: PHONE_NUMBER_ID.to_owned(),
            token: TOKEN.to_owned(),
        });
    }
    config
}

fn error_body(status: u16, message: &str, code: u32) -> Value {
    json!({"error": {
        "message": message,
        "type": if status >= 500 { "ServerError" } else { "OAuthException" },
        "code": code,
        "fbtrace_id": "AbCdEfGh123"
    }})
}

fn handle(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;

    let (status, answer) = {
        let mut state = state.lock().unwrap();
        state.requests += 1;
        if let Some(status) = state.refuse.or_else(|| state.failures.pop_front()) {
            let answer = if status >= 500 {
                error_body(status, "Service temporarily unavailable", 2)
            } else if status == 429 {
                error_body(status, "(#130429) Rate limit hit", 130429)
            } else {
                error_body(status, "(#131009) Parameter value is not valid", 131009)
            };
            (status, answer)
        } else {
            let problems = check_request(&request_line, &header, &body);
            if problems.is_empty() {
                let message: Value = serde_json::from_slice(&body).unwrap();
                let to = message["to"].as_str().unwrap_or_default().to_owned();
                state.received.push(message);
                let id = format!("wamid.HBgM{}", state.received.len());
                (
                    200,
                    json!({
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": to, "wa_id": to}],
                        "messages": [{"id": id}]
                    }),
                )
            } else {
                let message = problems.join("; ");
                state.problems.extend(problems);
                (400, error_body(400, &format!("(#100) {message}"), 100))
            }
        }
    };
    let text = answer.to_string();
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        429 => "Too Many Requests",
        _ => "Error",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

/// What the real API would refuse in this request.
fn check_request(
    request_line: &str,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    let expected_path = format!("/v21.0/{PHONE_NUMBER_ID}/messages");
    want(
        request_line.starts_with(&format!("POST {expected_path} ")),
        &format!("request line {request_line:?}, not POST {expected_path}"),
    );
    want(
        header("authorization").as_deref() == Some(&format!("Bearer {TOKEN}")),
        "no valid bearer token",
    );
    want(
        header("content-type").is_some_and(|v| v.starts_with("application/json")),
        "content type is not JSON",
    );
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        want(false, "the body is not JSON");
        return problems;
    };
    want(
        message["messaging_product"] == "whatsapp",
        "messaging_product",
    );
    want(message["recipient_type"] == "individual", "recipient_type");
    want(message["type"] == "template", "type");
    let to = message["to"].as_str().unwrap_or_default();
    want(
        (10..=15).contains(&to.len()) && to.bytes().all(|b| b.is_ascii_digit()),
        "to must be the number's digits",
    );
    let template = &message["template"];
    let language = template["language"]["code"].as_str().unwrap_or_default();
    want(["id", "en"].contains(&language), "unknown language code");
    let components = template["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let texts = |component: &Value| -> Vec<String> {
        component["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|p| p["type"] == "text")
            .filter_map(|p| {
                p["text"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
            })
            .collect()
    };
    let body_params = components
        .iter()
        .find(|c| c["type"] == "body")
        .map(texts)
        .unwrap_or_default();
    match template["name"].as_str().unwrap_or_default() {
        "bursa_sign_in_code" => {
            want(
                body_params.len() == 1,
                "a code template takes one body parameter",
            );
            let button = components.iter().find(|c| c["type"] == "button");
            want(
                button.is_some_and(|b| {
                    b["sub_type"] == "url" && b["index"] == "0" && texts(b) == body_params
                }),
                "a code template's copy-code button takes the code",
            );
        }
        "bursa_registration_ticket" => {
            want(body_params.len() == 6, "a ticket takes six body parameters")
        }
        "bursa_hire_confirmation" => want(
            body_params.len() == 5,
            "a hire confirmation takes five body parameters",
        ),
        other => want(false, &format!("template {other:?} does not exist")),
    }
    problems
}
