//! `GET /audit`: read the audit log, oldest first. Nothing here (or anywhere) changes it.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use super::AuditRecord;
use crate::auth::{AuthUser, Role};
use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::extract::ApiQuery;
use crate::pagination::{self, Cursor, Page};
use crate::validate::{self, Checker};
use crate::AppState;

/// The entities the log names.
pub const ENTITIES: [&str; 13] = [
    "event",
    "participation",
    "vacancy",
    "job_seeker",
    "registration",
    "application",
    "placement",
    "follow_up",
    "organization",
    "user",
    "nik_claim",
    "nik_lookup",
    "door_pass",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    event_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// An entity id as stored: a UUID, or for a participation `event_id/organization_id`.
fn entity_id(c: &mut Checker, entity: Option<&str>, raw: String) -> String {
    let parts: Vec<&str> = raw.split('/').collect();
    let shaped = match (entity, parts.as_slice()) {
        (Some("participation"), [_, _]) | (None, [_, _]) => true,
        (Some("participation"), _) => {
            c.fail(
                "entity_id",
                "must be event_id/organization_id for a participation",
            );
            return raw;
        }
        (_, [_]) => true,
        _ => false,
    };
    let ids: Option<Vec<String>> = shaped
        .then(|| {
            parts
                .iter()
                .map(|part| {
                    uuid::Uuid::parse_str(part)
                        .ok()
                        .map(|id| id.hyphenated().to_string())
                })
                .collect()
        })
        .flatten();
    match ids {
        Some(ids) => ids.join("/"),
        None => {
            c.fail("entity_id", "is not a UUID");
            raw
        }
    }
}

/// The records of the log, oldest first, filtered by `entity`, `entity_id` and `event_id`.
/// Admins and ministry staff read all of it; organizers the records of one event run by their
/// organization (`event_id` is required of them); no one else reads it.
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    may_read(&caller)?;
    let mut c = Checker::new();
    let entity = query.entity;
    if let Some(entity) = &entity {
        if !ENTITIES.contains(&entity.as_str()) {
            c.fail("entity", format!("must be one of {}", ENTITIES.join(", ")));
        }
    }
    let entity_id = query
        .entity_id
        .map(|raw| entity_id(&mut c, entity.as_deref(), raw));
    let event_id = query
        .event_id
        .map(|raw| validate::uuid(&mut c, "event_id", raw));
    c.finish()?;
    let limit = pagination::limit(query.limit)?;
    let after =
        match pagination::cursor(query.cursor.as_deref())? {
            Some(cursor) => Some(cursor.key.parse::<i64>().map_err(|_| {
                AppError::invalid_field("cursor", "is not a cursor this API issued")
            })?),
            None => None,
        };
    let filter = ReadFilter {
        entity,
        entity_id,
        event_id,
        after,
        limit,
    };
    let page = state.db(move |conn| read(conn, &caller, filter)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Which records [`read`] returns, already checked.
#[derive(Debug, Clone, Default)]
pub struct ReadFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub event_id: Option<String>,
    /// Records after this sequence number.
    pub after: Option<i64>,
    pub limit: i64,
}

/// Admins, ministry staff and organizers read the log; no one else.
fn may_read(caller: &AuthUser) -> AppResult<()> {
    if !caller.role.reads_everything() && caller.role != Role::Organizer {
        return Err(AppError::forbidden(
            "only admins, ministry staff and the event's organizers read the audit log",
        ));
    }
    Ok(())
}

/// The records of the log, oldest first. Admins and ministry staff read all of it; organizers
/// the records of one event run by their organization (`event_id` is required of them: 403
/// without; 404 for an event they may not see). The API and the desk's audit page read here.
pub fn read(
    conn: &mut DbConn,
    caller: &AuthUser,
    filter: ReadFilter,
) -> AppResult<Page<AuditRecord>> {
    may_read(caller)?;
    if !caller.role.reads_everything() {
        let Some(event_id) = &filter.event_id else {
            return Err(AppError::forbidden(
                "organizers read the audit log of one of their events: give event_id",
            ));
        };
        let event = crate::events::find_visible(conn, event_id, Some(caller))?
            .ok_or_else(|| AppError::not_found("event"))?;
        crate::organizations::require_member(conn, caller, &event.organization_id, false)?;
    }
    // Records committed a moment ago are shown too.
    super::seal(conn)?;
    let mut q = audit_log::table
        .select(AuditRecord::as_select())
        .into_boxed();
    if let Some(entity) = filter.entity {
        q = q.filter(audit_log::entity.eq(entity));
    }
    if let Some(entity_id) = filter.entity_id {
        q = q.filter(audit_log::entity_id.eq(entity_id));
    }
    if let Some(event_id) = filter.event_id {
        q = q.filter(audit_log::event_id.eq(event_id));
    }
    if let Some(after) = filter.after {
        q = q.filter(audit_log::seq.gt(after));
    }
    let rows = q
        .order(audit_log::seq.asc())
        .limit(filter.limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, filter.limit, |r: &AuditRecord| {
        Cursor::new(r.seq.to_string(), r.id.clone())
    }))
}
