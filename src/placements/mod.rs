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
//! A *verified placement* (the metrics' numerator) is one that is `confirmed` or `verified`.
//!
//! Parties: the job seeker (the account of the profile), the employer (members of the vacancy's
//! organization, and admins), staff (members of the organization that runs the event, ministry
//! staff and admins). Anyone else gets 403 on a placement that exists. Anti-gaming flags are
//! computed when a placement is reported and never block it; every party but the job seeker sees
//! them. No view of a placement carries any part of a NIK.
//!
//! Confirmation links are issued on demand by the event's organizer (never in the employer's
//! report answer: an employer must not answer its own claim). A link is single use, expires
//! after [`CONFIRMATION_TTL_DAYS`], is superseded by a newer link, and is dead once the placement
//! leaves `reported`; only the token's SHA-256 is stored. A report may carry an
//! `Idempotency-Key`: the first successful answer is stored with the report and replayed.
//! Every change appends an audit record, as the last write of its transaction.

pub mod export;
pub mod handlers;

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::schema::{events, job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::AppError;

/// How long a confirmation link stays usable.
pub const CONFIRMATION_TTL_DAYS: i64 = 30;
/// `late_start`: the job starts more than this many days after the event's last local day.
pub const LATE_START_DAYS: i64 = 180;
/// `placed_twice`: another active placement of the job seeker starts within this many days.
pub const PLACED_TWICE_DAYS: i64 = 30;

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
    pub status: String,
    pub start_date: NaiveDate,
    pub salary_idr: i64,
    pub contract_type: String,
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
    pub verification_method: Option<String>,
    pub verification_note: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub retracted_at: Option<NaiveDateTime>,
    pub retracted_by: Option<String>,
    pub retraction_note: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

impl Placement {
    pub fn status(&self) -> Result<PlacementStatus, AppError> {
        PlacementStatus::parse(&self.status).ok_or_else(|| {
            AppError::internal(format!(
                "placement {} has the unknown status {:?}",
                self.id, self.status
            ))
        })
    }

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

/// The placement with the caller's standing to it, in one query; `None` when there is no such
/// placement (whoever asks).
pub fn find_for(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> QueryResult<Option<(PlacementRow, Access)>> {
    let member_of = || crate::events::member_organizations(caller.id.clone());
    let row: Option<(Placement, String, String, Option<String>, bool, bool)> = placements::table
        .inner_join(vacancies::table)
        .inner_join(events::table)
        .inner_join(job_seekers::table)
        .inner_join(organizations::table)
        .filter(placements::id.eq(id))
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
            job_seekers::user_id,
            placements::employer_id.eq_any(member_of()),
            events::organization_id.eq_any(member_of()),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(placement, title, employer, seeker_user, employer_member, organizer)| {
            let access = Access {
                job_seeker: seeker_user.as_deref() == Some(caller.id.as_str()),
                employer: employer_member || caller.is_admin(),
                staff: organizer || caller.role.reads_everything(),
                organizer,
            };
            ((placement, title, employer), access)
        },
    ))
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

/// What the flags are computed from.
#[derive(Debug, Clone)]
pub struct FlagFacts {
    pub start_date: NaiveDate,
    /// Event local date of `starts_at`.
    pub event_first_day: NaiveDate,
    /// Event local date of `ends_at`.
    pub event_last_day: NaiveDate,
    pub checked_in: bool,
    /// Verified placements (`confirmed` or `verified`) of the vacancy, this one not included.
    pub verified_for_vacancy: i64,
    pub openings: i32,
    /// Start dates of the job seeker's other placements that are not `retracted`.
    pub other_active_starts: Vec<NaiveDate>,
}

/// The flags a new placement carries, in [`Flag::ALL`] order.
pub fn compute_flags(facts: &FlagFacts) -> Vec<Flag> {
    let mut flags = Vec::new();
    if facts.start_date < facts.event_first_day {
        flags.push(Flag::StartBeforeEvent);
    }
    if !facts.checked_in {
        flags.push(Flag::NotCheckedIn);
    }
    if facts.verified_for_vacancy + 1 > i64::from(facts.openings) {
        flags.push(Flag::ExceedsOpenings);
    }
    if facts
        .other_active_starts
        .iter()
        .any(|other| (*other - facts.start_date).num_days().abs() <= PLACED_TWICE_DAYS)
    {
        flags.push(Flag::PlacedTwice);
    }
    if facts.start_date > facts.event_last_day + Duration::days(LATE_START_DAYS) {
        flags.push(Flag::LateStart);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> FlagFacts {
        FlagFacts {
            start_date: date("2026-12-15"),
            event_first_day: date("2026-12-01"),
            event_last_day: date("2026-12-02"),
            checked_in: true,
            verified_for_vacancy: 0,
            openings: 1,
            other_active_starts: vec![],
        }
    }

    #[test]
    fn a_clean_placement_has_no_flags() {
        assert!(compute_flags(&facts()).is_empty());
    }

    #[test]
    fn each_flag_at_its_boundary() {
        let mut f = facts();
        f.start_date = date("2026-12-01");
        assert!(compute_flags(&f).is_empty(), "the first day is not before");
        f.start_date = date("2026-11-30");
        assert_eq!(compute_flags(&f), [Flag::StartBeforeEvent]);

        let mut f = facts();
        f.checked_in = false;
        assert_eq!(compute_flags(&f), [Flag::NotCheckedIn]);

        let mut f = facts();
        f.verified_for_vacancy = 1;
        assert_eq!(compute_flags(&f), [Flag::ExceedsOpenings]);

        let mut f = facts();
        f.other_active_starts = vec![date("2027-01-14")];
        assert_eq!(compute_flags(&f), [Flag::PlacedTwice]);
        f.other_active_starts = vec![date("2027-01-15")];
        assert!(compute_flags(&f).is_empty());
        f.other_active_starts = vec![date("2026-11-15")];
        assert_eq!(compute_flags(&f), [Flag::PlacedTwice]);

        let mut f = facts();
        f.start_date = date("2027-05-31"); // 180 days after 2026-12-02
        assert!(compute_flags(&f).is_empty());
        f.start_date = date("2027-06-01");
        assert_eq!(compute_flags(&f), [Flag::LateStart]);
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
