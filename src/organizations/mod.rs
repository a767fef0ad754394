//! Organizations (organizer offices, universities, private organizers, employers) and the users
//! who act for them. A member acts for its organization; owners also manage it and its members.

pub mod handlers;
pub mod manage;
pub mod verification;

use chrono::NaiveDateTime;
use diesel::dsl::{Eq, Filter, Select};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::Bool;
use serde::Serialize;

use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{memberships, organizations};
use crate::db::DbConn;
use crate::error::AppResult;

crate::text_enum! {
    pub enum OrganizationKind {
        Organizer = "organizer",
        Employer = "employer",
    }
}

impl OrganizationKind {
    /// The user role whose holders act for organizations of this kind.
    pub fn member_role(self) -> Role {
        match self {
            Self::Organizer => Role::Organizer,
            Self::Employer => Role::Employer,
        }
    }
}

crate::text_enum! {
    /// Whether an organization is privately or publicly owned. Public means a government body or
    /// a state- or region-owned enterprise (BUMN, BUMD). For an employer it sets the legal quota
    /// of employees with a disability (Law 8/2016 art. 53), see [`crate::metrics::employer`].
    #[derive(Default)]
    pub enum Ownership {
        #[default]
        Private = "private",
        Public = "public",
    }
}

crate::text_enum! {
    pub enum MemberRole {
        Owner = "owner",
        Member = "member",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub province_code: String,
    pub city: String,
    pub sector_code: Option<String>,
    pub registration_number: Option<String>,
    pub ownership: Ownership,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
    /// When admin or ministry staff verified this organizer ([`verification`]); `None` until
    /// then and after a revocation. An unverified organizer publishes no fair.
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub verified_at: Option<NaiveDateTime>,
    /// The staff member who verified it.
    pub verified_by: Option<String>,
    /// What the staff member checked; in the audit trail, not shown with the organization.
    #[serde(skip)]
    pub verification_note: Option<String>,
}

/// One organization a user acts for, as `/me` lists them.
#[derive(Debug, Serialize, Queryable)]
pub struct MembershipView {
    pub organization_id: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub role: MemberRole,
}

/// A member of an organization.
#[derive(Debug, Serialize, Queryable)]
pub struct MemberView {
    pub user_id: String,
    /// `None` for an account made with a phone number only.
    pub email: Option<String>,
    pub full_name: String,
    pub role: MemberRole,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub joined_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Organization>> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .first(conn)
        .optional()
}

/// Whether the `memberships` row at hand lets its user act for its organization now: the user's
/// current role is the one that kind of organization is run by ([`OrganizationKind::member_role`],
/// from which the SQL is made). A membership whose user an admin gave another role acts for no
/// one. Written as a correlated `EXISTS`, so that it fits in any query over `memberships`, also
/// one that itself joins `organizations` or `users`: a hand-written membership join adds it to
/// its `ON` or `WHERE` (better: call a guard).
pub fn acts_now() -> ActsNow {
    ActsNow
}

/// The SQL of [`acts_now`]. Its own expression type rather than `dsl::sql`: a literal makes
/// diesel plan its whole query anew on every call, and this one sits in every guard's query.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct ActsNow;

const _: () = assert!(<ActsNow as diesel::query_builder::QueryId>::HAS_STATIC_QUERY_ID);

static ACTS_NOW_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let pairs: Vec<String> = OrganizationKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "(o.kind = '{}' AND u.role = '{}')",
                kind.as_str(),
                kind.member_role().as_str()
            )
        })
        .collect();
    format!(
        "EXISTS (SELECT 1 FROM organizations o JOIN users u ON u.id = memberships.user_id \
         WHERE o.id = memberships.organization_id AND ({}))",
        pairs.join(" OR ")
    )
});

impl Expression for ActsNow {
    type SqlType = Bool;
}

impl<DB: diesel::backend::Backend> QueryFragment<DB> for ActsNow {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // The same text every time: safe for diesel's prepared statement cache.
        out.push_sql(&ACTS_NOW_SQL);
        Ok(())
    }
}

impl<QS> SelectableExpression<QS> for ActsNow {}
impl<QS> AppearsOnTable<QS> for ActsNow {}
impl<GB> diesel::expression::ValidGrouping<GB> for ActsNow {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

/// The user's role in the organization, if they act for it now: a membership, and the user's
/// current role is the one this kind of organization is run by. The one definition of acting
/// for an organization; [`crate::auth::guards`] build on it.
pub fn member_role(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Option<MemberRole>> {
    memberships::table
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(acts_now())
        .select(memberships::role)
        .first(conn)
        .optional()
}

/// The subquery of [`acting_for`].
pub type ActingFor = Select<
    Filter<Filter<memberships::table, Eq<memberships::user_id, String>>, ActsNow>,
    memberships::organization_id,
>;

/// The organizations `user_id` acts for now (see [`member_role`]), as a subquery for
/// `organization_id.eq_any(..)`.
pub fn acting_for(user_id: String) -> ActingFor {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(acts_now())
        .select(memberships::organization_id)
}

/// 403 unless the caller is an admin or acts for the organization (as an owner, if
/// `owner_only`). Kept for the modules that call it; it is
/// [`guards::organization_member`](crate::auth::guards::organization_member) /
/// [`guards::organization_owner`](crate::auth::guards::organization_owner).
pub fn require_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
    owner_only: bool,
) -> AppResult<()> {
    if owner_only {
        guards::organization_owner(conn, caller, organization_id)
    } else {
        guards::organization_member(conn, caller, organization_id)
    }
}

/// The organizations the user acts for now (see [`member_role`]), as `/me` lists them.
pub fn memberships_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<MembershipView>> {
    memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(acts_now())
        .select((
            organizations::id,
            organizations::name,
            organizations::kind,
            memberships::role,
        ))
        .order(organizations::name.asc())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_queries_are_prepared_once() {
        use diesel::pg::Pg;
        use diesel::query_builder::QueryFragment;
        // A query diesel may not cache is parsed and planned by PostgreSQL on every call, and
        // this rule is in the query of every guard.
        let guard = memberships::table
            .filter(memberships::user_id.eq("u".to_owned()))
            .filter(acts_now())
            .select(memberships::role);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&guard, &Pg).unwrap());
        let subquery = acting_for("u".to_owned());
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&subquery, &Pg).unwrap());
    }

    #[test]
    fn the_sql_rule_names_every_kind_with_its_role() {
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&acts_now()).to_string();
        assert!(
            sql.contains("(o.kind = 'organizer' AND u.role = 'organizer')"),
            "{sql}"
        );
        assert!(
            sql.contains("(o.kind = 'employer' AND u.role = 'employer')"),
            "{sql}"
        );
    }
}
