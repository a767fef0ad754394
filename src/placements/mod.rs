//! Placements: the hires a fair produced. An employer reports a hire (from an application, or for
//! a checked-in job seeker who never applied through Bursa, whose application is then made in the
//! same transaction); the job seeker confirms or disputes it, through their account or through a
//! single-use link; organizer members of the event and ministry staff verify it (for job seekers
//! who cannot confirm, and to settle a dispute either way).
//!
//! Statuses and who moves them (see [`Action`]):
//! - `reported` → `confirmed` / `disputed` (the job seeker), `retracted` (the employer's retract
//!   or the staff's reject), `verified` (staff);
//! - `disputed` → `verified` or `retracted` (staff);
//! - `confirmed` → `verified` (staff);
//! - `verified` and `retracted` are final.
//!
//! A *verified placement* (the metrics' numerator) is one that is `confirmed` or `verified`:
//! [`PlacementStatus::VERIFIED`], the one definition.
//!
//! Parties ([`find_as_party`]): the job seeker (the account of the profile), the employer
//! (members of the vacancy's organization, and admins), staff (members of the organization that
//! runs the event, ministry staff and admins); memberships count as
//! [`crate::auth::guards::membership`] counts them. Anyone else gets 404, as if the placement did
//! not exist (a hire is personal data); a party who may not take an action gets 403.
//! Anti-gaming flags ([`flags`]) are computed when a placement is reported and never block it;
//! every party but the job seeker sees them. No view of a placement carries any part of a NIK.
//!
//! Confirmation links are issued on demand by the event's organizer (never in the employer's
//! report answer: an employer must not answer its own claim). A link is single use, expires
//! after [`CONFIRMATION_TTL_DAYS`], is superseded by a newer link, and is dead once the placement
//! leaves `reported`; only the token's SHA-256 is stored. A report may carry an idempotency key
//! ([`crate::idempotency`]): the first successful answer is stored with the report and replayed.
//! Every change appends an audit record, as the last write of its transaction.
//!
//! Where things are: the operations in `report.rs` (report a hire), `answer.rs` (confirm,
//! dispute, retract, verify, reject, and the confirmation links), `lists.rs` (the lists);
//! the emails they queue in `notices.rs`; the HTTP handlers, which only parse, call and
//! serialize, in `handlers.rs`; the event's export in `export.rs`.

mod answer;
pub mod export;
pub mod flags;
pub mod handlers;
mod lists;
mod notices;
mod report;
pub mod sheet;

pub use answer::{
    act, answer_claim, confirmation_link, link_answer, show_claim, Claim, Details, IssuedLink,
    MAX_NOTE,
};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
pub use flags::{compute_flags, FlagFacts, LATE_START_DAYS, PLACED_TWICE_DAYS};
pub use lists::{hired_names_for_event, list_for_event, list_for_organization, mine, ListFilter};
pub use report::{report, NewPlacement, Report, Reported, Target};
use serde::Serialize;

use crate::auth::{guards, AuthUser};
use crate::db::schema::{events, job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// How long a confirmation link stays usable.
pub const CONFIRMATION_TTL_DAYS: i64 = 30;

crate::text_enum! {
    /// The status of a placement (the first variant is also the placeholder of a missing value).
    #[derive(Default)]
    pub enum PlacementStatus {
        #[default]
        Reported = "reported",
        Confirmed = "confirmed",
        Disputed = "disputed",
        Verified = "verified",
        Retracted = "retracted",
    }
}

crate::text_enum! {
    #[derive(Default)]
    pub enum ContractType {
        #[default]
        Permanent = "permanent",
        Contract = "contract",
        Internship = "internship",
        PartTime = "part_time",
        Daily = "daily",
    }
}

crate::text_enum! {
    #[derive(Default)]
    pub enum VerificationMethod {
        #[default]
        Phone = "phone",
        Document = "document",
        Visit = "visit",
        SocialSecurity = "social_security",
    }
}

crate::text_enum! {
    /// The anti-gaming flags, in the order they are stored.
    #[derive(Default)]
    pub enum Flag {
        #[default]
        StartBeforeEvent = "start_before_event",
        NotCheckedIn = "not_checked_in",
        ExceedsOpenings = "exceeds_openings",
        PlacedTwice = "placed_twice",
        LateStart = "late_start",
    }
}

crate::text_enum! {
    /// A decision given through a confirmation link.
    #[derive(Default)]
    pub enum Decision {
        #[default]
        Confirm = "confirm",
        Dispute = "dispute",
    }
}

impl PlacementStatus {
    /// The statuses of a *verified placement*, the headline figure: confirmed by the job seeker
    /// or verified by staff. The one definition metrics, lists and rules use.
    pub const VERIFIED: [PlacementStatus; 2] =
        [PlacementStatus::Confirmed, PlacementStatus::Verified];

    pub fn is_verified(self) -> bool {
        Self::VERIFIED.contains(&self)
    }
}

/// The party an action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    JobSeeker,
    Employer,
    Staff,
}

/// A change of status, with who makes it and from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    Dispute,
    Retract,
    Verify,
    Reject,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Self::Confirm,
        Self::Dispute,
        Self::Retract,
        Self::Verify,
        Self::Reject,
    ];

    /// The audit action.
    pub fn audit_name(self) -> &'static str {
        match self {
            Self::Confirm => "placement.confirm",
            Self::Dispute => "placement.dispute",
            Self::Retract => "placement.retract",
            Self::Verify => "placement.verify",
            Self::Reject => "placement.reject",
        }
    }

    pub fn party(self) -> Party {
        match self {
            Self::Confirm | Self::Dispute => Party::JobSeeker,
            Self::Retract => Party::Employer,
            Self::Verify | Self::Reject => Party::Staff,
        }
    }

    pub fn to(self) -> PlacementStatus {
        match self {
            Self::Confirm => PlacementStatus::Confirmed,
            Self::Dispute => PlacementStatus::Disputed,
            Self::Retract | Self::Reject => PlacementStatus::Retracted,
            Self::Verify => PlacementStatus::Verified,
        }
    }

    /// Whether a placement in `from` may take this action.
    pub fn allowed_from(self, from: PlacementStatus) -> bool {
        use PlacementStatus::*;
        match self {
            Self::Confirm | Self::Dispute => from == Reported,
            // Not yet confirmed: an employer may concede a dispute by retracting.
            Self::Retract => matches!(from, Reported | Disputed),
            Self::Verify => matches!(from, Reported | Disputed | Confirmed),
            Self::Reject => matches!(from, Reported | Disputed),
        }
    }
}

/// A placement as stored. `flags` is the stored JSON text (see [`PlacementView`]).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = placements)]
pub struct Placement {
    pub id: String,
    pub application_id: String,
    pub vacancy_id: String,
    pub event_id: String,
    pub job_seeker_id: String,
    pub employer_id: String,
    pub status: PlacementStatus,
    pub start_date: NaiveDate,
    pub salary_idr: i64,
    pub contract_type: ContractType,
    pub occupation_code: String,
    #[serde(skip)]
    pub flags: String,
    pub reported_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub reported_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub confirmed_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub disputed_at: Option<NaiveDateTime>,
    pub dispute_reason: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub verified_at: Option<NaiveDateTime>,
    pub verified_by: Option<String>,
    pub verification_method: Option<VerificationMethod>,
    pub verification_note: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub retracted_at: Option<NaiveDateTime>,
    pub retracted_by: Option<String>,
    pub retraction_note: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

impl Placement {
    pub fn flag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.flags).unwrap_or_default()
    }
}

/// A placement as the API shows it: with the vacancy's title and the employer's name, and its
/// flags for every party but the job seeker (absent for them).
#[derive(Debug, Clone, Serialize)]
pub struct PlacementView {
    #[serde(flatten)]
    pub placement: Placement,
    pub vacancy_title: String,
    pub employer_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
}

impl PlacementView {
    pub fn new(row: PlacementRow, show_flags: bool) -> Self {
        let (placement, vacancy_title, employer_name) = row;
        let flags = show_flags.then(|| placement.flag_list());
        Self {
            placement,
            vacancy_title,
            employer_name,
            flags,
        }
    }
}

/// A placement with its vacancy's title and employer's name.
pub type PlacementRow = (Placement, String, String);

/// How the caller stands to a placement.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access {
    /// The account of the placement's job seeker.
    pub job_seeker: bool,
    /// A member of the employer organization, or an admin.
    pub employer: bool,
    /// A member of the event's organizer organization, ministry staff, or an admin.
    pub staff: bool,
    /// A member of the event's organizer organization.
    pub organizer: bool,
    /// A member of the employer organization (an admin without a membership is not).
    pub employer_member: bool,
}

impl Access {
    pub fn any(self) -> bool {
        self.job_seeker || self.employer || self.staff
    }

    pub fn is(self, party: Party) -> bool {
        match party {
            Party::JobSeeker => self.job_seeker,
            Party::Employer => self.employer,
            Party::Staff => self.staff,
        }
    }

    /// Flags are for the employer and staff, not for the job seeker.
    pub fn sees_flags(self) -> bool {
        self.employer || self.staff
    }
}

/// The placement and how the caller stands to it: 404 `placement` when there is none or the
/// caller is no party to it (the one answer to an outsider, whether it exists or not).
pub fn find_as_party(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> AppResult<(PlacementRow, Access)> {
    let not_found = || AppError::not_found("placement");
    let row: Option<(Placement, String, String, String, Option<String>)> = placements::table
        .inner_join(vacancies::table)
        .inner_join(events::table)
        .inner_join(job_seekers::table)
        .inner_join(organizations::table)
        .filter(placements::id.eq(id))
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
            events::organization_id,
            job_seekers::user_id,
        ))
        .first(conn)
        .optional()?;
    let (placement, title, employer, organizer_id, seeker_user) = row.ok_or_else(not_found)?;
    let organizer = guards::membership(conn, caller, &organizer_id)?.is_some();
    let employer_member = guards::membership(conn, caller, &placement.employer_id)?.is_some();
    let access = Access {
        job_seeker: seeker_user.as_deref() == Some(caller.id.as_str()),
        employer: employer_member || caller.is_admin(),
        staff: organizer || caller.role.reads_everything(),
        organizer,
        employer_member,
    };
    if !access.any() {
        return Err(not_found());
    }
    Ok(((placement, title, employer), access))
}

/// A placement with its title and employer, for whoever may see it (checked by the caller).
pub fn find_row(conn: &mut DbConn, id: &str) -> QueryResult<Option<PlacementRow>> {
    placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .filter(placements::id.eq(id))
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
        ))
        .first(conn)
        .optional()
}

/// The UTC offset of a province's time zone. Indonesia has kept no daylight saving time since
/// 1964, so its four IANA zones are fixed offsets (WIB +7, WITA +8, WIT +9); an unknown zone
/// falls back to WIB.
pub fn province_offset(province_code: &str) -> FixedOffset {
    let hours = match crate::provinces::find(province_code).map(|p| p.timezone) {
        Some("Asia/Makassar") => 8,
        Some("Asia/Jayapura") => 9,
        _ => 7, // Asia/Jakarta, Asia/Pontianak
    };
    FixedOffset::east_opt(hours * 3600).expect("+7 to +9 hours is a valid offset")
}

/// The event local date of an instant (stored as naive UTC) in a province.
pub fn local_date(at: NaiveDateTime, province_code: &str) -> NaiveDate {
    (at.and_utc() + province_offset(province_code)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn local_dates_follow_the_province() {
        let at = date("2026-11-30").and_hms_opt(17, 30, 0).unwrap();
        assert_eq!(local_date(at, "31"), date("2026-12-01")); // Jakarta, +7
        assert_eq!(local_date(at, "73"), date("2026-12-01")); // Sulawesi Selatan, +8
        assert_eq!(local_date(at, "94"), date("2026-12-01")); // Papua, +9
        let early = date("2026-11-30").and_hms_opt(16, 30, 0).unwrap();
        assert_eq!(local_date(early, "31"), date("2026-11-30"));
        assert_eq!(local_date(early, "94"), date("2026-12-01"));
    }

    #[test]
    fn the_transition_table() {
        use PlacementStatus::*;
        let allowed = [
            (Action::Confirm, Reported),
            (Action::Dispute, Reported),
            (Action::Retract, Reported),
            (Action::Retract, Disputed),
            (Action::Verify, Reported),
            (Action::Verify, Disputed),
            (Action::Verify, Confirmed),
            (Action::Reject, Reported),
            (Action::Reject, Disputed),
        ];
        for action in Action::ALL {
            for from in PlacementStatus::ALL {
                assert_eq!(
                    action.allowed_from(*from),
                    allowed.contains(&(action, *from)),
                    "{action:?} from {from:?}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for flag in Flag::ALL {
            assert_eq!(Flag::parse(flag.as_str()), Some(*flag));
            assert_eq!(serde_json::to_value(flag).unwrap(), flag.as_str());
        }
        for status in PlacementStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for c in ContractType::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for m in VerificationMethod::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
    }
}
