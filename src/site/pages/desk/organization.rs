//! The organization at the desk: who it is and its members; owners add a member by email or
//! remove one ([`crate::organizations::manage`], as `/api/v1/organizations/{id}/members`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{caller, caller_at, done_notice, frame, path_id, DoneQuery};
use crate::auth::AuthUser;
use crate::organizations::manage::{self, NewMember};
use crate::organizations::{self, MemberRole};
use crate::site::session::CsrfForm;
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::AppState;

struct MemberRow {
    user_id: String,
    name: String,
    email: String,
    role: &'static str,
}

#[derive(Template)]
#[template(path = "desk/organization.html")]
struct OrganizationPage {
    frame: Frame,
    id: String,
    name: String,
    verified: bool,
    members: Vec<MemberRow>,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    email: String,
    email_error: Option<&'static str>,
}

async fn organization_page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    id: String,
    status: StatusCode,
    fill: impl FnOnce(&mut OrganizationPage),
) -> HttpResponse {
    let found = state
        .db(move |conn| {
            let members = manage::members(conn, &caller, &id)?;
            let organization = manage::get(conn, &caller, &id)?;
            let verified = organizations::verification::verified(conn, &id)?.is_some();
            Ok((organization, verified, members))
        })
        .await;
    let (organization, verified, members) = match found {
        Ok(found) => found,
        Err(error) => return error_response(visitor, &error),
    };
    let lang = visitor.lang;
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            role: i18n::text(lang, &format!("desk.member_{}", m.role.as_str())),
            user_id: m.user_id,
            name: m.full_name,
            email: m.email.unwrap_or_default(),
        })
        .collect();
    let mut page = OrganizationPage {
        frame: frame(visitor, req, "organization"),
        id: organization.id,
        name: organization.name,
        verified,
        members,
        notice: None,
        problem: None,
        email: String::new(),
        email_error: None,
    };
    fill(&mut page);
    render(visitor, status, &page)
}

/// `GET /desk/organizations/{id}`: for those who act for it, ministry staff and admins.
pub async fn show(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "organization") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let notice = done_notice(visitor.lang, query.done.as_deref());
    organization_page(&visitor, &req, &state, caller, id, StatusCode::OK, |page| {
        page.notice = notice;
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    csrf: String,
    email: String,
    role: String,
}

/// `POST /desk/organizations/{id}/members`: [`manage::add_member`] (owners and admins).
pub async fn add_member(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<MemberForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "organization") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let new = NewMember {
        email: Some(form.email.clone()),
        role: Some(MemberRole::parse(&form.role).unwrap_or(MemberRole::Member)),
    };
    let (acting, organization_id) = (caller.clone(), id.clone());
    let outcome = state
        .db(move |conn| {
            let valid = new.validate()?;
            manage::add_member(conn, &acting, &organization_id, valid)
        })
        .await;
    let lang = visitor.lang;
    let text = match outcome {
        Ok(_) => return redirect(&format!("/desk/organizations/{id}?done=added")),
        Err(error) if error.code == "already_member" => {
            i18n::text(lang, "desk.error_already_member")
        }
        Err(error) if error.details.iter().any(|d| d.field == "email") => {
            i18n::text(lang, "desk.error_member_email")
        }
        Err(error) => return error_response(&visitor, &error),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    organization_page(&visitor, &req, &state, caller, id, status, |page| {
        page.email = form.email;
        page.email_error = Some(text);
    })
    .await
}

/// `POST /desk/organizations/{id}/members/{user_id}/remove`: [`manage::remove_member`]; the
/// last owner stays (explained on the page).
pub async fn remove_member(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let caller = match caller(&visitor, &req) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (id, user_id) = path.into_inner();
    let (id, user_id) = match (
        path_id(&visitor, &id, "organization"),
        path_id(&visitor, &user_id, "user"),
    ) {
        (Ok(id), Ok(user_id)) => (id, user_id),
        (Err(response), _) | (_, Err(response)) => return *response,
    };
    let (acting, organization_id) = (caller.clone(), id.clone());
    let outcome = state
        .db(move |conn| manage::remove_member(conn, &acting, &organization_id, &user_id))
        .await;
    match outcome {
        Ok(()) => redirect(&format!("/desk/organizations/{id}?done=removed")),
        Err(error) if error.code == "last_owner" => {
            let text = i18n::text(visitor.lang, "desk.error_last_owner");
            organization_page(&visitor, &req, &state, caller, id, error.status, |page| {
                page.problem = Some(text);
            })
            .await
        }
        Err(error) => error_response(&visitor, &error),
    }
}
