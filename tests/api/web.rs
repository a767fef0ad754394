//! A browser without JavaScript, for the page tests over plain HTTP: its cookies (CSRF, session,
//! language), forms and file uploads, and no redirect followed, so a test sees each answer.

use awc::http::header::HeaderMap;

use crate::common::{TestApp, PASSWORD};

/// A page as the server answered it.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }

    #[track_caller]
    pub fn assert(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    #[track_caller]
    pub fn has(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "{text:?} not in {}", self.body);
        self
    }
}

/// What a request carries.
pub enum Body<'f> {
    None,
    Form(&'f [(&'f str, &'f str)]),
    /// The boundary and the encoded parts.
    Multipart(&'f str, Vec<u8>),
}

/// A phone's browser: the CSRF cookie it was given, and the session once signed in.
pub struct Phone<'a> {
    app: &'a TestApp,
    pub csrf: String,
    session: Option<String>,
    /// The language switch's cookie, when set.
    pub lang: Option<&'static str>,
}

/// The value of the cookie `name` a response sets.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
}

impl<'a> Phone<'a> {
    /// A visitor, not signed in, with the CSRF cookie of a first page.
    pub async fn new(app: &'a TestApp) -> Phone<'a> {
        let first = send(app, "GET", "/sign-in", None, Body::None).await;
        let csrf = cookie_value(&first.headers, "bursa_csrf").expect("a CSRF cookie");
        Phone {
            app,
            csrf,
            session: None,
            lang: None,
        }
    }

    /// A phone signed in to the account `email` (made with the tests' password).
    pub async fn signed_in(app: &'a TestApp, email: &str) -> Phone<'a> {
        let mut phone = Self::new(app).await;
        let page = phone
            .post("/sign-in", &[("email", email), ("password", PASSWORD)])
            .await;
        page.assert(303);
        phone.session = Some(cookie_value(&page.headers, "bursa_session").expect("a session"));
        phone
    }

    pub fn cookie(&self) -> String {
        let mut cookie = format!("bursa_csrf={}", self.csrf);
        if let Some(session) = &self.session {
            cookie.push_str(&format!("; bursa_session={session}"));
        }
        if let Some(lang) = self.lang {
            cookie.push_str(&format!("; lang={lang}"));
        }
        cookie
    }

    pub async fn get(&self, path: &str) -> Page {
        send(self.app, "GET", path, Some(&self.cookie()), Body::None).await
    }

    /// Posts the form with this phone's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token unless given).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let cookie = self.cookie();
        send(self.app, "POST", path, Some(&cookie), Body::Form(fields)).await
    }

    /// Sends a file as an upload form does, with this phone's CSRF token.
    pub async fn upload(&self, path: &str, name: &str, file: &[u8]) -> Page {
        let boundary = "----bursa-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            )
            .as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let cookie = self.cookie();
        send(
            self.app,
            "POST",
            path,
            Some(&cookie),
            Body::Multipart(boundary, body),
        )
        .await
    }
}

/// One request to the test server, its redirect not followed.
pub async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Body<'_>,
) -> Page {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut req = if method == "POST" {
        client.post(app.url(path))
    } else {
        client.get(app.url(path))
    };
    if let Some(cookie) = cookie {
        req = req.insert_header(("Cookie", cookie.to_owned()));
    }
    let mut response = match body {
        Body::None => req.send().await,
        Body::Form(fields) => req.send_form(&fields.to_vec()).await,
        Body::Multipart(boundary, bytes) => {
            req.insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .send_body(bytes)
            .await
        }
    }
    .expect("request sent");
    let body = response.body().limit(4 << 20).await.expect("body");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
