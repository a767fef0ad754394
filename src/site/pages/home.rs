//! `/`: what Bursa is for a job seeker, and the way to the fairs.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::site::{i18n, render, Frame, Visitor};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    frame: Frame,
}

pub async fn show(visitor: Visitor, req: HttpRequest) -> HttpResponse {
    let lang = visitor.lang;
    let frame = Frame::new(
        &visitor,
        &req,
        i18n::text(lang, "home.title").to_owned(),
        i18n::text(lang, "home.description").to_owned(),
    );
    render(&visitor, StatusCode::OK, &Home { frame })
}
