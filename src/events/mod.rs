//! Job fair events: the model, its rules and its queries.
//!
//! An event belongs to an organizer organization. Drafts are seen only by that organization's
//! members, admins and ministry staff; published and closed events are public. Who may see or
//! act on an event is decided by the guards of [`crate::auth::guards`]: an event the caller may
//! not see is 404 (a draft's existence is not public), one they may see but not act on is 403.
//!
//! The operations: [`get`] and [`list`] here, the changes in [`lifecycle`] (create, update,
//! publish, cancel, close).

pub mod handlers;
pub mod lifecycle;
mod notices;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use lifecycle::{cancel, close, create, publish, update, Closing, EventPatch, NewEvent};

use crate::auth::{AuthUser, CallerToken, Role};
use crate::db::schema::{events, memberships, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::pagination::{self, Cursor, Page};
use crate::users::SessionState;
use crate::validate::Checker;

crate::text_enum! {
    #[derive(Default)]
    pub enum EventFormat {
        #[default]
        Onsite = "onsite",
        Online = "online",
        Hybrid = "hybrid",
    }
}

crate::text_enum! {
    #[derive(Default)]
    pub enum FundingSource {
        /// State budget.
        #[default]
        Apbn = "apbn",
        /// State budget deconcentrated to a province.
        Dekonsentrasi = "dekonsentrasi",
        /// Regional budget.
        Apbd = "apbd",
        Private = "private",
        Other = "other",
    }
}

crate::text_enum! {
    pub enum EventStatus {
        Draft = "draft",
        Published = "published",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

impl EventStatus {
    /// The statuses of an event that has taken place or will: public, counted in metrics, and
    /// taking outcomes (hires, confirmations, follow-ups). Drafts and cancelled events do none of
    /// these.
    pub const TAKES_OUTCOMES: [EventStatus; 2] = [EventStatus::Published, EventStatus::Closed];

    pub fn takes_outcomes(self) -> bool {
        Self::TAKES_OUTCOMES.contains(&self)
    }
}

/// Statuses anyone may see: those of an event that takes outcomes.
pub const PUBLIC_STATUSES: [EventStatus; 2] = EventStatus::TAKES_OUTCOMES;

/// The role of the users who act for an event's organization (always an organizer office):
/// only they see its drafts through a membership.
const STAFF_ROLE: Role = Role::Organizer;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub description: String,
    pub format: EventFormat,
    pub venue: Option<String>,
    pub province_code: String,
    pub city: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub starts_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub budget_idr: i64,
    pub funding_source: FundingSource,
    pub target_placements: i32,
    pub status: EventStatus,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub published_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub closed_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub cancelled_at: Option<NaiveDateTime>,
    /// The real spending, recorded when the event is closed.
    pub spent_idr: Option<i64>,
    pub closing_notes: Option<String>,
    pub registrations_count: i32,
    /// Counted the moment a check-in commits (see [`crate::metrics::attendance`]).
    #[diesel(embed)]
    pub attendees_count: crate::metrics::attendance::Attendees,
    /// The event local date of `starts_at`, kept for the rollups' periods.
    #[serde(skip)]
    pub local_start_date: NaiveDate,
}

impl Event {
    pub fn is_public(&self) -> bool {
        self.status.takes_outcomes()
    }
}

/// The editable fields of an event, validated together (create, and update after merging).
#[derive(Debug, Clone)]
pub struct EventFields {
    pub title: String,
    pub description: String,
    pub format: EventFormat,
    pub venue: Option<String>,
    pub province_code: String,
    pub city: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub budget_idr: i64,
    pub funding_source: FundingSource,
    pub target_placements: i32,
}

pub const MAX_MONEY_IDR: i64 = 1_000_000_000_000_000;
const MAX_PEOPLE: i32 = 10_000_000;

impl EventFields {
    /// Normalizes and checks every field; cross-field rules only once the fields are valid.
    pub fn check(self, c: &mut Checker) -> Self {
        let fields = Self {
            title: c.text("title", self.title, 3, 200),
            description: c.multiline_text("description", self.description, 0, 10_000),
            venue: self
                .venue
                .and_then(|v| c.optional_text("venue", Some(v), 300)),
            province_code: c.province("province_code", self.province_code),
            city: c.text("city", self.city, 1, 100),
            capacity: c.range("capacity", self.capacity, 1, MAX_PEOPLE),
            budget_idr: c.range("budget_idr", self.budget_idr, 0, MAX_MONEY_IDR),
            target_placements: c.range("target_placements", self.target_placements, 0, MAX_PEOPLE),
            ..self
        };
        if !c.failed("format") && fields.format != EventFormat::Online && fields.venue.is_none() {
            c.fail("venue", "is required for onsite and hybrid events");
        }
        c.time_in_range("starts_at", fields.starts_at);
        c.time_in_range("ends_at", fields.ends_at);
        if !c.failed("starts_at") && !c.failed("ends_at") {
            if fields.ends_at <= fields.starts_at {
                c.fail("ends_at", "must be after starts_at");
            } else if fields.ends_at - fields.starts_at > chrono::Duration::days(366) {
                c.fail("ends_at", "must be at most 366 days after starts_at");
            }
        }
        fields
    }
}

/// The editable columns, for both the insert and the update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventColumns<'a> {
    title: &'a str,
    description: &'a str,
    format: EventFormat,
    venue: Option<&'a str>,
    province_code: &'a str,
    city: &'a str,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    capacity: i32,
    budget_idr: i64,
    funding_source: FundingSource,
    target_placements: i32,
    local_start_date: NaiveDate,
}

impl EventFields {
    pub fn columns(&self) -> EventColumns<'_> {
        EventColumns {
            title: &self.title,
            description: &self.description,
            format: self.format,
            venue: self.venue.as_deref(),
            province_code: &self.province_code,
            city: &self.city,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            budget_idr: self.budget_idr,
            funding_source: self.funding_source,
            target_placements: self.target_placements,
            local_start_date: crate::placements::local_date(self.starts_at, &self.province_code),
        }
    }

    pub fn from_event(event: &Event) -> Self {
        Self {
            title: event.title.clone(),
            description: event.description.clone(),
            format: event.format,
            venue: event.venue.clone(),
            province_code: event.province_code.clone(),
            city: event.city.clone(),
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            capacity: event.capacity,
            budget_idr: event.budget_idr,
            funding_source: event.funding_source,
            target_placements: event.target_placements,
        }
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Event>> {
    events::table
        .find(id)
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// The event if `caller` may see it: public, or read-everything staff, or a member acting for
/// its organization (a member whose role no longer fits sees what the public sees). A public
/// event — the hot read of every fair page — is one read by key; only a draft or cancelled one
/// asks who the caller acts for.
pub fn find_visible(
    conn: &mut DbConn,
    id: &str,
    caller: Option<&AuthUser>,
) -> QueryResult<Option<Event>> {
    match find(conn, id)? {
        Some(event) if event.is_public() || caller.is_some_and(|c| c.role.reads_everything()) => {
            Ok(Some(event))
        }
        // A draft or cancelled event, already in hand: shown to whoever acts for its organizer.
        Some(event) => match caller {
            Some(user) if user.role == STAFF_ROLE => {
                let member =
                    crate::organizations::member_role(conn, &event.organization_id, &user.id)?;
                Ok(member.is_some().then_some(event))
            }
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// An event the caller may see, and whether they act for its organization now: what the staff
/// guards decide on.
pub type VisibleAsMember<E = Event> = Option<(E, bool)>;

/// [`find_visible`], and whether the caller acts for the event's organization now
/// ([`member_organizations`]): what the staff guards need, in the same one query.
pub fn find_visible_as_member(
    conn: &mut DbConn,
    id: &str,
    caller: Option<&AuthUser>,
) -> QueryResult<VisibleAsMember> {
    let found = match caller {
        // Only an organizer can act for the organizer organization that runs an event.
        Some(user) if user.role == STAFF_ROLE => events::table
            .filter(events::id.eq(id))
            .select((
                Event::as_select(),
                events::organization_id.eq_any(member_organizations(user.id.clone())),
            ))
            .first::<(Event, bool)>(conn)
            .optional()?,
        _ => find(conn, id)?.map(|e| (e, false)),
    };
    Ok(found.filter(|(event, member)| visible_to(event.status, caller, *member)))
}

/// Who may see an event ([`find_visible`]): anyone a public one; read-everything staff any;
/// an organizer one of an organization they act for (`member`).
fn visible_to(status: EventStatus, caller: Option<&AuthUser>, member: bool) -> bool {
    status.takes_outcomes()
        || caller.is_some_and(|c| c.role.reads_everything() || (c.role == STAFF_ROLE && member))
}

/// An event's row, or part of it, read beside the state of a token's account and whether the
/// account acts for the event's organization: what [`for_token`] decides on.
pub type RowForToken<E> = Option<(E, (Option<(Role, Option<NaiveDateTime>, i32)>, bool))>;

/// The state of the token's account, beside an event's columns with `users` joined on the
/// token's account: what [`for_token`] reads with the membership.
#[diesel::dsl::auto_type]
pub fn account_state() -> _ {
    let state: AccountState = (users::role, users::disabled_at, users::token_version);
    state.nullable()
}
type AccountState = (users::role, users::disabled_at, users::token_version);

/// The caller of `token` and the event if they may see it ([`visible_to`]), from the `row`
/// read with the account's state (see [`get_for_token`]); `status` is the event's.
/// A token that no longer speaks for its account is 401, whether or not the event exists.
pub fn for_token<E>(
    conn: &mut DbConn,
    token: CallerToken,
    row: RowForToken<E>,
    status: impl Fn(&E) -> EventStatus,
) -> AppResult<(Option<AuthUser>, VisibleAsMember<E>)> {
    let Some((event, (state, member))) = row else {
        return Ok((token.check(conn)?, None));
    };
    let state = state.map(|(role, disabled_at, token_version)| SessionState {
        role,
        disabled_at,
        token_version,
    });
    let caller = token.accept(state)?;
    // As in find_visible_as_member: only an organizer acts for the organizer that runs it.
    let member = member && caller.as_ref().is_some_and(|c| c.role == STAFF_ROLE);
    let visible = visible_to(status(&event), caller.as_ref(), member).then_some((event, member));
    Ok((caller, visible))
}

/// Organizations whose non-public events `caller` may see, as a subquery: those they act for
/// now ([`organizations::acting_for`]: a membership and the role of that kind of organization).
pub fn member_organizations(user_id: String) -> crate::organizations::ActingFor {
    crate::organizations::acting_for(user_id)
}

/// Reading one event: anyone may read a published or closed event; a draft or cancelled one
/// only its organization's members, admins and ministry staff (404 for others).
pub fn get(conn: &mut DbConn, caller: Option<&AuthUser>, id: &str) -> AppResult<Event> {
    find_visible(conn, id, caller)?.ok_or_else(|| AppError::not_found("event"))
}

/// [`get`] for a caller whose token is not checked yet: the account's state is read in the
/// statement that reads the event (see [`CallerToken::check`]), so that the busiest read, that
/// of a public event, is one statement. Whether the account acts for the event's organization
/// decides only for an event that is not public, and is asked then, in a second. A token that
/// no longer speaks for its account is 401, whether or not the event exists.
pub fn get_for_token(conn: &mut DbConn, token: CallerToken, id: &str) -> AppResult<Event> {
    let Some(user_id) = token.user_id().map(str::to_owned) else {
        return get(conn, None, id);
    };
    let row: Option<(Event, _)> = crate::on_engine!(&mut *conn, |c| events::table
        .left_join(users::table.on(users::id.eq(&user_id)))
        .filter(events::id.eq(id))
        .select((Event::as_select(), account_state()))
        .first(c)
        .optional())?;
    let row = match row {
        Some((event, state)) => {
            let member = !event.is_public() && acts_for(conn, user_id, &event.organization_id)?;
            Some((event, (state, member)))
        }
        None => None,
    };
    let (_, found) = for_token(conn, token, row, |event: &Event| event.status)?;
    found
        .map(|(event, _)| event)
        .ok_or_else(|| AppError::not_found("event"))
}

// Kept prepared: a part without a static query id would have PostgreSQL parse and plan the
// busiest read on every request.
const _: () = assert!(<account_state as diesel::query_builder::QueryId>::HAS_STATIC_QUERY_ID);

/// Whether `user_id` acts for `organization_id` now ([`member_organizations`]).
fn acts_for(conn: &mut DbConn, user_id: String, organization_id: &str) -> QueryResult<bool> {
    crate::on_engine!(conn, |c| diesel::select(diesel::dsl::exists(
        member_organizations(user_id).filter(memberships::organization_id.eq(organization_id)),
    ))
    .get_result(c))
}

/// The filters of [`list`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub province_code: Option<String>,
    pub status: Option<EventStatus>,
    pub organization_id: Option<String>,
    /// Events starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Events ending after this instant: with now, those upcoming or under way.
    pub ends_after: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Events by start time, filtered, showing each caller only what they may see ([`get`]). A bad
/// filter is a 422 naming it; `from` and `to` lie in [`crate::validate::YEARS`].
pub fn list(
    conn: &mut DbConn,
    caller: Option<&AuthUser>,
    query: ListQuery,
) -> AppResult<Page<Event>> {
    let limit = pagination::limit(query.limit)?;
    let after = match pagination::cursor(query.cursor.as_deref())? {
        Some(cursor) => Some((cursor.key_as_time()?, cursor.id)),
        None => None,
    };
    let organization_id = match query.organization_id.as_deref() {
        Some(raw) => Some(
            uuid::Uuid::parse_str(raw)
                .map_err(|_| AppError::invalid_field("organization_id", "is not a UUID"))?
                .hyphenated()
                .to_string(),
        ),
        None => None,
    };
    let province_code = crate::validate::province_filter(query.province_code)?;
    let from = crate::validate::time_filter("from", query.from)?;
    let to = crate::validate::time_filter("to", query.to)?;
    let ends_after = crate::validate::time_filter("ends_after", query.ends_after)?;

    let mut q = events::table.select(Event::as_select()).into_boxed();
    match caller {
        Some(user) if user.role.reads_everything() => {}
        Some(user) if user.role == STAFF_ROLE => {
            q = q.filter(
                events::status
                    .eq_any(PUBLIC_STATUSES)
                    .or(events::organization_id.eq_any(member_organizations(user.id.clone()))),
            )
        }
        _ => q = q.filter(events::status.eq_any(PUBLIC_STATUSES)),
    }
    if let Some(province) = province_code {
        q = q.filter(events::province_code.eq(province));
    }
    if let Some(status) = query.status {
        q = q.filter(events::status.eq(status));
    }
    if let Some(organization_id) = organization_id {
        q = q.filter(events::organization_id.eq(organization_id));
    }
    if let Some(from) = from {
        q = q.filter(events::starts_at.ge(from));
    }
    if let Some(to) = to {
        q = q.filter(events::starts_at.lt(to));
    }
    if let Some(ends_after) = ends_after {
        q = q.filter(events::ends_at.gt(ends_after));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            events::starts_at
                .gt(at)
                .or(events::starts_at.eq(at).and(events::id.gt(id))),
        );
    }
    let rows = q
        .order((events::starts_at.asc(), events::id.asc()))
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |e: &Event| {
        Cursor::from_time(e.starts_at, &e.id)
    }))
}
