//! The organization operations, as domain functions: create, read, list and update
//! organizations, and list, add and remove their members. Each checks who may act through
//! [`guards`] first; the JSON handlers ([`super::handlers`]) and later the web pages call them.

use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{MemberRole, MemberView, Organization, OrganizationKind, Ownership};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{memberships, organizations, users};
use crate::db::{is_unique_violation, new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};
use crate::validate::{self, Checker};

/// A new organization, as submitted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    name: Option<String>,
    kind: Option<OrganizationKind>,
    province_code: Option<String>,
    city: Option<String>,
    sector_code: Option<String>,
    registration_number: Option<String>,
    ownership: Option<Ownership>,
}

/// A new organization that passed validation.
pub struct ValidOrganization {
    pub name: String,
    pub kind: OrganizationKind,
    pub province_code: String,
    pub city: String,
    pub sector_code: Option<String>,
    pub registration_number: Option<String>,
    pub ownership: Ownership,
}

impl NewOrganization {
    /// Checks every field (422); ownership is `private` unless given.
    pub fn validate(self) -> AppResult<ValidOrganization> {
        let mut c = Checker::new();
        let name = c.required_text("name", self.name, 2, 200);
        let kind = match self.kind {
            Some(kind) => kind,
            None => {
                c.fail("kind", "is required");
                OrganizationKind::Organizer
            }
        };
        let province_code = c.required("province_code", self.province_code);
        let province_code = c.province("province_code", province_code);
        let city = c.required_text("city", self.city, 1, 100);
        let sector_code = c.optional_text("sector_code", self.sector_code, 5);
        check_sector(&mut c, &sector_code);
        let registration_number =
            c.optional_text("registration_number", self.registration_number, 50);
        check_registration(&mut c, &registration_number);
        c.finish()?;
        Ok(ValidOrganization {
            name,
            kind,
            province_code,
            city,
            sector_code,
            registration_number,
            ownership: self.ownership.unwrap_or_default(),
        })
    }
}

/// KBLI 2020: a section letter (A to U) or a 2- to 5-digit code.
fn check_sector(c: &mut Checker, value: &Option<String>) {
    if let Some(code) = value {
        let ok = (code.len() == 1 && ('A'..='U').contains(&code.chars().next().unwrap_or('Z')))
            || ((2..=5).contains(&code.len()) && code.chars().all(|ch| ch.is_ascii_digit()));
        c.check(
            ok,
            "sector_code",
            "must be a KBLI 2020 section letter (A to U) or a 2- to 5-digit code",
        );
    }
}

/// A business registration number (NIB) or another official number: letters, digits, `.`, `/`, `-`.
fn check_registration(c: &mut Checker, value: &Option<String>) {
    if let Some(number) = value {
        let ok = number
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '/' | '-'));
        c.check(
            ok,
            "registration_number",
            "may hold only letters, digits, '.', '/' and '-'",
        );
    }
}

fn registration_taken() -> AppError {
    AppError::conflict(
        "registration_number_taken",
        "an organization of this kind with this registration number already exists",
    )
}

/// Organizers create organizer organizations and employers employer organizations (admins
/// either); the creator becomes its owner.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    new: ValidOrganization,
) -> AppResult<Organization> {
    guards::role(caller, &[Role::Admin, Role::Organizer, Role::Employer])?;
    if !caller.is_admin() && new.kind.member_role() != caller.role {
        return Err(AppError::forbidden(format!(
            "a user with the {} role cannot create an organization of kind {}",
            caller.role, new.kind
        )));
    }
    write_transaction(conn, |conn| {
        let id = new_id();
        let at = now();
        let inserted = diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(&id),
                organizations::name.eq(&new.name),
                organizations::kind.eq(new.kind),
                organizations::province_code.eq(&new.province_code),
                organizations::city.eq(&new.city),
                organizations::sector_code.eq(&new.sector_code),
                organizations::registration_number.eq(&new.registration_number),
                organizations::ownership.eq(new.ownership),
                organizations::created_by.eq(&caller.id),
                organizations::created_at.eq(at),
                organizations::updated_at.eq(at),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(registration_taken()),
            other => other?,
        };
        insert_member(conn, &id, &caller.id, MemberRole::Owner)?;
        super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))
    })
}

fn insert_member(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
    role: MemberRole,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::organization_id.eq(organization_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role),
            memberships::created_at.eq(now()),
        ))
        .execute(conn)
}

/// The organization, or 404: any signed-in user may read one (they are named publicly at fairs).
pub fn get(conn: &mut DbConn, _caller: &AuthUser, id: &str) -> AppResult<Organization> {
    super::find(conn, id)?.ok_or_else(|| AppError::not_found("organization"))
}

/// Organizations by creation, optionally of one kind and province.
pub fn list(
    conn: &mut DbConn,
    _caller: &AuthUser,
    kind: Option<OrganizationKind>,
    province_code: Option<String>,
    after: Option<Cursor>,
    limit: i64,
) -> AppResult<Page<Organization>> {
    let mut q = organizations::table
        .select(Organization::as_select())
        .into_boxed();
    if let Some(kind) = kind {
        q = q.filter(organizations::kind.eq(kind));
    }
    if let Some(province) = province_code {
        q = q.filter(organizations::province_code.eq(province));
    }
    if let Some(after) = after {
        q = q.filter(organizations::id.gt(after.id));
    }
    let rows = q
        .order(organizations::id.asc())
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |o: &Organization| {
        Cursor::new("", o.id.clone())
    }))
}

/// The fields of an organization an owner may change; its kind never changes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    sector_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    registration_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    ownership: Option<Ownership>,
}

impl OrganizationPatch {
    /// Checks the given fields (422).
    pub fn validate(self) -> AppResult<Self> {
        let mut c = Checker::new();
        let name = self.name.map(|v| c.text("name", v, 2, 200));
        let province_code = self.province_code.map(|v| c.province("province_code", v));
        let city = self.city.map(|v| c.text("city", v, 1, 100));
        let sector_code = self
            .sector_code
            .map(|v| c.optional_text("sector_code", v, 5));
        if let Some(sector) = &sector_code {
            check_sector(&mut c, sector);
        }
        let registration_number = self
            .registration_number
            .map(|v| c.optional_text("registration_number", v, 50));
        if let Some(number) = &registration_number {
            check_registration(&mut c, number);
        }
        c.finish()?;
        Ok(Self {
            name,
            province_code,
            city,
            sector_code,
            registration_number,
            ownership: self.ownership,
        })
    }
}

/// Owners and admins change an organization's details.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    patch: OrganizationPatch,
) -> AppResult<Organization> {
    write_transaction(conn, |conn| {
        let current = super::find(conn, id)?.ok_or_else(|| AppError::not_found("organization"))?;
        guards::organization_owner(conn, caller, id)?;
        let updated = diesel::update(organizations::table.find(id))
            .set((
                organizations::name.eq(patch.name.unwrap_or(current.name)),
                organizations::province_code
                    .eq(patch.province_code.unwrap_or(current.province_code)),
                organizations::city.eq(patch.city.unwrap_or(current.city)),
                organizations::sector_code.eq(patch.sector_code.unwrap_or(current.sector_code)),
                organizations::registration_number.eq(patch
                    .registration_number
                    .unwrap_or(current.registration_number)),
                organizations::ownership.eq(patch.ownership.unwrap_or(current.ownership)),
                organizations::updated_at.eq(now()),
            ))
            .execute(conn);
        match updated {
            Err(e) if is_unique_violation(&e) => return Err(registration_taken()),
            other => other?,
        };
        super::find(conn, id)?.ok_or_else(|| AppError::not_found("organization"))
    })
}

/// A member to add, as submitted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: Option<String>,
    pub role: Option<MemberRole>,
}

/// A member to add that passed validation.
pub struct ValidMember {
    pub email: String,
    pub role: MemberRole,
}

impl NewMember {
    pub fn validate(self) -> AppResult<ValidMember> {
        let mut c = Checker::new();
        let email = validate::email(&mut c, "email", self.email);
        let role = c
            .required("role", self.role.map(Some))
            .unwrap_or(MemberRole::Member);
        c.finish()?;
        Ok(ValidMember { email, role })
    }
}

/// The one answer for an address that cannot be added, whatever the reason: no account has it,
/// or its account has another role (or is disabled). It tells the owner neither whether an
/// account exists nor what role it has.
fn cannot_join() -> AppError {
    AppError::invalid_field(
        "email",
        "no account that can act for this organization has this email; ask the person to \
         register with the role of this kind of organization, then add them again",
    )
}

/// Owners (and admins) add a user, by email, as an owner or a member. Only an active account
/// with the role that acts for this kind of organization (organizer or employer) can be added;
/// every other address gets the same 422 (see [`cannot_join`]). 409 `already_member` names
/// only someone the owner sees in the member list already. Additions and removals are audited.
pub fn add_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
    new: ValidMember,
) -> AppResult<MemberView> {
    write_transaction(conn, |conn| {
        let organization = super::find(conn, organization_id)?
            .ok_or_else(|| AppError::not_found("organization"))?;
        guards::organization_owner(conn, caller, organization_id)?;
        let user = crate::users::find_by_email(conn, &new.email)?
            .filter(|u| u.role == organization.kind.member_role() && u.disabled_at.is_none())
            .ok_or_else(cannot_join)?;
        match insert_member(conn, organization_id, &user.id, new.role) {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict(
                    "already_member",
                    "this user is already a member of the organization",
                ))
            }
            other => other?,
        };
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "organization.add_member",
                entity: "organization",
                entity_id: organization_id,
                event_id: None,
                changes: json!({"user_id": user.id, "role": new.role}),
            },
        )?;
        find_member(conn, organization_id, &user.id)
    })
}

#[diesel::dsl::auto_type]
fn members_query() -> _ {
    memberships::table.inner_join(users::table).select((
        users::id,
        users::email,
        users::full_name,
        memberships::role,
        memberships::created_at,
    ))
}

fn find_member(conn: &mut DbConn, organization_id: &str, user_id: &str) -> AppResult<MemberView> {
    members_query()
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::user_id.eq(user_id))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("member"))
}

/// The organization's members: for those who act for it, ministry staff and admins.
pub fn members(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<Vec<MemberView>> {
    super::find(conn, organization_id)?.ok_or_else(|| AppError::not_found("organization"))?;
    guards::organization_reader(conn, caller, organization_id)?;
    Ok(members_query()
        .filter(memberships::organization_id.eq(organization_id))
        .order(memberships::created_at.asc())
        .load::<MemberView>(conn)?)
}

/// Owners (and admins) remove a member; the last owner cannot be removed (409 `last_owner`).
pub fn remove_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
    user_id: &str,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        super::find(conn, organization_id)?.ok_or_else(|| AppError::not_found("organization"))?;
        guards::organization_owner(conn, caller, organization_id)?;
        let role: MemberRole = memberships::table
            .find((organization_id, user_id))
            .select(memberships::role)
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found("member"))?;
        if role == MemberRole::Owner {
            let owners: i64 = memberships::table
                .filter(memberships::organization_id.eq(organization_id))
                .filter(memberships::role.eq(MemberRole::Owner))
                .count()
                .get_result(conn)?;
            if owners <= 1 {
                return Err(AppError::conflict(
                    "last_owner",
                    "an organization keeps at least one owner",
                ));
            }
        }
        diesel::delete(memberships::table.find((organization_id, user_id))).execute(conn)?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "organization.remove_member",
                entity: "organization",
                entity_id: organization_id,
                event_id: None,
                changes: json!({"user_id": user_id, "role": role}),
            },
        )
    })
}
