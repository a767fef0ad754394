//! Organizations (organizer offices, universities, private organizers, employers) and the users
//! who act for them. A member acts for its organization; owners also manage it and its members.

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{AuthUser, Role};
use crate::db::schema::{memberships, organizations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

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

/// Whether an organization is privately or publicly owned. Public means a government body or a
/// state- or region-owned enterprise (BUMN, BUMD). For an employer it sets the legal quota of
/// employees with a disability (Law 8/2016 art. 53), see [`crate::metrics::employer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    #[default]
    Private,
    Public,
}

impl Ownership {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "private" => Some(Self::Private),
            "public" => Some(Self::Public),
            _ => None,
        }
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
    pub kind: String,
    pub province_code: String,
    pub city: String,
    pub sector_code: Option<String>,
    pub registration_number: Option<String>,
    /// `private` or `public` (see [`Ownership`]).
    pub ownership: String,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

/// One organization a user acts for, as `/me` lists them.
#[derive(Debug, Serialize, Queryable)]
pub struct MembershipView {
    pub organization_id: String,
    pub name: String,
    pub kind: String,
    pub role: String,
}

/// A member of an organization.
#[derive(Debug, Serialize, Queryable)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub full_name: String,
    pub role: String,
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

/// The caller's role in the organization, if they belong to it.
pub fn member_role(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Option<MemberRole>> {
    memberships::table
        .find((organization_id, user_id))
        .select(memberships::role)
        .first(conn)
        .optional()
}

/// 403 unless the caller is an admin or a member of the organization (an owner, if
/// `owner_only`).
pub fn require_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
    owner_only: bool,
) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    match member_role(conn, organization_id, &caller.id)? {
        Some(MemberRole::Owner) => Ok(()),
        Some(MemberRole::Member) if !owner_only => Ok(()),
        Some(MemberRole::Member) => Err(AppError::forbidden(
            "only an owner of the organization may do this",
        )),
        None => Err(AppError::forbidden(
            "only members of the organization may do this",
        )),
    }
}

pub fn memberships_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<MembershipView>> {
    memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .select((
            organizations::id,
            organizations::name,
            organizations::kind,
            memberships::role,
        ))
        .order(organizations::name.asc())
        .load(conn)
}
