//! How a WhatsApp message leaves: a POST to the Cloud API, or a `.json` file in a folder when
//! WhatsApp is not configured (the `cargo run` default, like email's `.eml` files).
//!
//! The Cloud API answers 200 with the message's id (`{"messages":[{"id":"wamid…"}]}`). A
//! network failure, a 5xx or a 429 (rate limit) is transient: the outbox retries it for as long
//! as the outage lasts. Any other 4xx is a refusal of this message (a bad number, a template
//! that does not exist): it counts towards `BURSA_MAIL_MAX_ATTEMPTS`. The API's error
//! (`{"error":{"message","type","code","fbtrace_id"}}`) is kept, shortened; the token never is.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::config::WhatsappConfig;
use crate::mail::transport::{write_atomically, SendError};

/// How long one request may take before it counts as a failed (transient) attempt.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The longest piece of an error answer kept in `last_error`.
const MAX_ERROR_CHARS: usize = 300;

enum Route {
    Cloud {
        agent: ureq::Agent,
        messages_url: String,
        authorization: String,
    },
    Folder(PathBuf),
}

/// Delivers WhatsApp messages; one per worker.
pub struct WhatsappSender {
    route: Route,
}

impl WhatsappSender {
    pub fn from_config(config: &WhatsappConfig) -> Self {
        let route = match &config.cloud {
            Some(cloud) => {
                let tls = ureq::tls::TlsConfig::builder()
                    .provider(ureq::tls::TlsProvider::NativeTls)
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build();
                let agent = ureq::Agent::config_builder()
                    .timeout_global(Some(TIMEOUT))
                    .http_status_as_error(false)
                    .tls_config(tls)
                    .build()
                    .into();
                Route::Cloud {
                    agent,
                    messages_url: format!("{}/{}/messages", config.api_url, cloud.phone_number_id),
                    authorization: format!("Bearer {}", cloud.token),
                }
            }
            None => Route::Folder(config.dir.clone()),
        };
        Self { route }
    }

    /// Where messages go, safe to log (no token).
    pub fn describe(&self) -> String {
        match &self.route {
            Route::Cloud { messages_url, .. } => format!("the WhatsApp Cloud API ({messages_url})"),
            Route::Folder(dir) => format!(".json files in {}", dir.display()),
        }
    }

    /// Sends the request body of outbox row `id`; the message id WhatsApp gave it, if any.
    pub fn send(&self, id: &str, body: &str) -> Result<Option<String>, SendError> {
        let body: Value = serde_json::from_str(body)
            .map_err(|_| SendError::permanent("the stored request body is not JSON"))?;
        match &self.route {
            Route::Folder(dir) => {
                let pretty = serde_json::to_vec_pretty(&body).unwrap_or_default();
                write_atomically(dir, id, "json", &pretty).map_err(|e| {
                    SendError::transient(format!("writing to {}: {e}", dir.display()))
                })?;
                Ok(None)
            }
            Route::Cloud {
                agent,
                messages_url,
                authorization,
            } => {
                let mut response = agent
                    .post(messages_url)
                    .header("Authorization", authorization)
                    .send_json(&body)
                    .map_err(|e| SendError::transient(format!("WhatsApp unreachable: {e}")))?;
                let status = response.status().as_u16();
                let answer: Value = response.body_mut().read_json().unwrap_or(Value::Null);
                if (200..300).contains(&status) {
                    return Ok(answer["messages"][0]["id"].as_str().map(str::to_owned));
                }
                let message = describe_error(status, &answer);
                if status == 429 || status >= 500 {
                    Err(SendError::transient(message))
                } else {
                    Err(SendError::permanent(message))
                }
            }
        }
    }
}

/// `HTTP 400: (#132001) Template name does not exist (OAuthException, code 132001, fbtrace_id …)`.
fn describe_error(status: u16, answer: &Value) -> String {
    let error = &answer["error"];
    let field = |name: &str| match &error[name] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let text = if error.is_object() {
        format!(
            "HTTP {status}: {} ({}, code {}, fbtrace_id {})",
            field("message"),
            field("type"),
            field("code"),
            field("fbtrace_id")
        )
    } else {
        format!("HTTP {status}")
    };
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_the_api_reason_shortened() {
        let answer = serde_json::json!({"error": {
            "message": "x".repeat(1000), "type": "OAuthException", "code": 132001,
            "fbtrace_id": "AbC"
        }});
        let text = describe_error(400, &answer);
        assert!(text.starts_with("HTTP 400: xxx"));
        assert_eq!(text.chars().count(), MAX_ERROR_CHARS);
        assert_eq!(describe_error(503, &Value::Null), "HTTP 503");
    }
}
