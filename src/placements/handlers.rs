//! `/placements`, `/placement-confirmations/{token}` and the placement lists of events,
//! organizations and the caller: parse, call the operation of [`crate::placements`], serialize.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{Action, Decision, Details, Flag, ListFilter, PlacementStatus, VerificationMethod};
use super::{NewPlacement, Reported};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::idempotency::Key;
use crate::pagination;
use crate::validate::Checker;
use crate::AppState;

/// The longest reason or note.
const MAX_TEXT: usize = super::answer::MAX_NOTE;

/// `POST /placements`: see [`super::report`]. The `Idempotency-Key` header, when present, makes
/// retries safe; a replayed answer carries `Idempotent-Replayed: true`.
pub async fn report(
    state: web::Data<AppState>,
    caller: AuthUser,
    req: HttpRequest,
    ApiJson(body): ApiJson<NewPlacement>,
) -> AppResult<HttpResponse> {
    let report = body.check()?;
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|value| Key::parse(value.as_bytes()))
        .transpose()?;
    let public_url = state.config.mail.public_url.clone();
    let reported = state
        .db(move |conn| super::report(conn, &caller, &report, key.as_ref(), &public_url))
        .await?;
    Ok(match reported {
        Reported::New(view) => HttpResponse::Created().json(view),
        Reported::Replayed(stored) => {
            HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED))
                .insert_header(("Idempotent-Replayed", "true"))
                .content_type("application/json")
                .body(stored.body)
        }
    })
}

/// `GET /placements/{id}`: the placement for its parties (with flags for all but the job
/// seeker); 404 for anyone else.
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let view = state
        .db(move |conn| {
            let (row, access) = super::find_as_party(conn, &id, &caller)?;
            Ok(super::PlacementView::new(row, access.sees_flags()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// An action by a signed-in party: see [`super::act`].
async fn act(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    action: Action,
    details: Details,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let public_url = state.config.mail.public_url.clone();
    let view = state
        .db(move |conn| super::act(conn, &caller, &id, action, &details, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `POST /placements/{id}/confirm`: the job seeker confirms, `reported` → `confirmed`.
pub async fn confirm(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(state, caller, id, Action::Confirm, Details::None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    reason: Option<String>,
}

/// `POST /placements/{id}/dispute`: the job seeker disputes, `reported` → `disputed`, with a
/// reason.
pub async fn dispute(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<DisputeBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let reason = c.required_multiline_text("reason", body.reason, 1, MAX_TEXT);
    c.finish()?;
    act(state, caller, id, Action::Dispute, Details::Reason(reason)).await
}

/// `POST /placements/{id}/retract`: the employer withdraws a report not yet confirmed,
/// `reported` or `disputed` → `retracted`.
pub async fn retract(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(state, caller, id, Action::Retract, Details::Note(None)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    method: Option<VerificationMethod>,
    note: Option<String>,
}

/// `POST /placements/{id}/verify`: staff verify, `reported`, `disputed` or `confirmed` →
/// `verified`.
pub async fn verify(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let method = c.required("method", body.method);
    let note = c.optional_multiline_text("note", body.note, MAX_TEXT);
    c.finish()?;
    let details = Details::Verify { method, note };
    act(state, caller, id, Action::Verify, details).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    note: Option<String>,
}

/// `POST /placements/{id}/reject`: staff reject, `reported` or `disputed` → `retracted`, with a
/// note saying why.
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let note = c.required_multiline_text("note", body.note, 1, MAX_TEXT);
    c.finish()?;
    act(state, caller, id, Action::Reject, Details::Note(Some(note))).await
}

/// `POST /placements/{id}/confirmation-link`: see [`super::confirmation_link`].
pub async fn confirmation_link(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let public_url = state.config.mail.public_url.clone();
    let issued = state
        .db(move |conn| super::confirmation_link(conn, &caller, &id, &public_url))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}

/// `GET /placement-confirmations/{token}`: see [`super::show_claim`].
pub async fn show_claim(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let claim = state
        .db(move |conn| super::show_claim(conn, &token))
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    decision: Option<Decision>,
    reason: Option<String>,
}

/// `POST /placement-confirmations/{token}`: see [`super::answer_claim`].
pub async fn answer_claim(
    state: web::Data<AppState>,
    token: web::Path<String>,
    ApiJson(body): ApiJson<Answer>,
) -> AppResult<HttpResponse> {
    let (decision, details) = super::link_answer(body.decision, body.reason)?;
    let public_url = state.config.mail.public_url.clone();
    let token = token.into_inner();
    let claim = state
        .db(move |conn| super::answer_claim(conn, &token, decision, &details, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<PlacementStatus>,
    flag: Option<Flag>,
    limit: Option<i64>,
    cursor: Option<String>,
}

impl ListQuery {
    fn filter(self) -> AppResult<ListFilter> {
        Ok(ListFilter {
            status: self.status,
            flag: self.flag,
            limit: pagination::limit(self.limit)?,
            after: pagination::cursor(self.cursor.as_deref())?,
        })
    }
}

/// `GET /events/{id}/placements`: see [`super::list_for_event`].
pub async fn list_for_event(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let filter = query.filter()?;
    let page = state
        .db(move |conn| super::list_for_event(conn, &caller, &event_id, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /organizations/{id}/placements`: see [`super::list_for_organization`].
pub async fn list_for_organization(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let organization_id = path_id(&id, "organization")?;
    let filter = query.filter()?;
    let page = state
        .db(move |conn| super::list_for_organization(conn, &caller, &organization_id, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /me/placements`: see [`super::mine`].
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let filter = query.filter()?;
    let page = state
        .db(move |conn| super::mine(conn, &caller, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
