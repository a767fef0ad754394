//! `/organizations`: create, read, list and update organizations, and manage their members.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use super::{MemberRole, MemberView, Organization, OrganizationKind, Ownership};
use crate::auth::{AuthUser, Role};
use crate::db::schema::{memberships, organizations, users};
use crate::db::{is_unique_violation, new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination::{self, Cursor, Page};
use crate::validate::{self, Checker};
use crate::AppState;

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
/// either); the creator becomes its owner. Ownership is `private` unless given.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewOrganization>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin, Role::Organizer, Role::Employer])?;
    let mut c = Checker::new();
    let name = c.required_text("name", body.name, 2, 200);
    let kind = match body.kind {
        Some(kind) => kind,
        None => {
            c.fail("kind", "is required");
            OrganizationKind::Organizer
        }
    };
    let province_code = c.required("province_code", body.province_code);
    let province_code = c.province("province_code", province_code);
    let city = c.required_text("city", body.city, 1, 100);
    let sector_code = c.optional_text("sector_code", body.sector_code, 5);
    check_sector(&mut c, &sector_code);
    let registration_number = c.optional_text("registration_number", body.registration_number, 50);
    check_registration(&mut c, &registration_number);
    let ownership = body.ownership.unwrap_or_default();
    c.finish()?;
    if !caller.is_admin() && body.kind.map(OrganizationKind::member_role) != Some(caller.role) {
        return Err(AppError::forbidden(format!(
            "a user with the {} role cannot create an organization of kind {}",
            caller.role.as_str(),
            kind.as_str()
        )));
    }
    let organization = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let id = new_id();
                let at = now();
                let inserted = diesel::insert_into(organizations::table)
                    .values((
                        organizations::id.eq(&id),
                        organizations::name.eq(&name),
                        organizations::kind.eq(kind.as_str()),
                        organizations::province_code.eq(&province_code),
                        organizations::city.eq(&city),
                        organizations::sector_code.eq(&sector_code),
                        organizations::registration_number.eq(&registration_number),
                        organizations::ownership.eq(ownership.as_str()),
                        organizations::created_by.eq(&caller.id),
                        organizations::created_at.eq(at),
                        organizations::updated_at.eq(at),
                    ))
                    .execute(conn);
                match inserted {
                    Err(e) if is_unique_violation(&e) => return Err(registration_taken()),
                    other => other?,
                };
                add_member(conn, &id, &caller.id, MemberRole::Owner)?;
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(organization))
}

fn add_member(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
    role: MemberRole,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::organization_id.eq(organization_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.as_str()),
            memberships::created_at.eq(now()),
        ))
        .execute(conn)
}

/// Any signed-in user may read an organization: they are named publicly at fairs.
pub async fn get(
    state: web::Data<AppState>,
    _caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let organization = state
        .db(move |conn| super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization")))
        .await?;
    Ok(HttpResponse::Ok().json(organization))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<OrganizationKind>,
    province_code: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    _caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let province_code = crate::validate::province_filter(query.province_code)?;
    let page = state
        .db(move |conn| {
            let mut q = organizations::table
                .select(Organization::as_select())
                .into_boxed();
            if let Some(kind) = query.kind {
                q = q.filter(organizations::kind.eq(kind.as_str()));
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
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

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

/// Owners and admins change an organization's details; its kind never changes.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let mut c = Checker::new();
    let name = patch.name.map(|v| c.text("name", v, 2, 200));
    let province_code = patch.province_code.map(|v| c.province("province_code", v));
    let city = patch.city.map(|v| c.text("city", v, 1, 100));
    let sector_code = patch
        .sector_code
        .map(|v| c.optional_text("sector_code", v, 5));
    if let Some(sector) = &sector_code {
        check_sector(&mut c, sector);
    }
    let registration_number = patch
        .registration_number
        .map(|v| c.optional_text("registration_number", v, 50));
    if let Some(number) = &registration_number {
        check_registration(&mut c, number);
    }
    let ownership = patch.ownership;
    c.finish()?;
    let organization = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let current =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))?;
                super::require_member(conn, &caller, &id, true)?;
                let updated = diesel::update(organizations::table.find(&id))
                    .set((
                        organizations::name.eq(name.unwrap_or(current.name)),
                        organizations::province_code
                            .eq(province_code.unwrap_or(current.province_code)),
                        organizations::city.eq(city.unwrap_or(current.city)),
                        organizations::sector_code.eq(sector_code.unwrap_or(current.sector_code)),
                        organizations::registration_number
                            .eq(registration_number.unwrap_or(current.registration_number)),
                        organizations::ownership
                            .eq(ownership.map_or(current.ownership, |o| o.as_str().to_owned())),
                        organizations::updated_at.eq(now()),
                    ))
                    .execute(conn);
                match updated {
                    Err(e) if is_unique_violation(&e) => return Err(registration_taken()),
                    other => other?,
                };
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(organization))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    email: Option<String>,
    role: Option<MemberRole>,
}

/// Owners (and admins) add a user, by email, as an owner or a member. The user must hold the
/// role that acts for this kind of organization (organizer or employer).
pub async fn add(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewMember>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let mut c = Checker::new();
    let email = validate::email(&mut c, "email", body.email);
    let role = body.role.unwrap_or(MemberRole::Member);
    if body.role.is_none() {
        c.fail("role", "is required");
    }
    c.finish()?;
    let member = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let organization =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))?;
                super::require_member(conn, &caller, &id, true)?;
                let user = crate::users::find_by_email(conn, &email)?
                    .ok_or_else(|| AppError::invalid_field("email", "no account has this email"))?;
                let needed = if organization.kind == "employer" {
                    Role::Employer
                } else {
                    Role::Organizer
                };
                if user.role()? != needed {
                    return Err(AppError::invalid_field(
                        "email",
                        format!(
                            "only users with the {} role can join this organization",
                            needed.as_str()
                        ),
                    ));
                }
                match add_member(conn, &id, &user.id, role) {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(AppError::conflict(
                            "already_member",
                            "this user is already a member of the organization",
                        ))
                    }
                    other => other?,
                };
                find_member(conn, &id, &user.id)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(member))
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

/// Members of the organization, admins and ministry staff see who acts for it.
pub async fn members(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let members = state
        .db(move |conn| {
            super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))?;
            if !caller.role.reads_everything() {
                super::require_member(conn, &caller, &id, false)?;
            }
            Ok(members_query()
                .filter(memberships::organization_id.eq(&id))
                .order(memberships::created_at.asc())
                .load::<MemberView>(conn)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": members })))
}

/// Owners (and admins) remove a member; the last owner cannot be removed.
pub async fn remove(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    let id = path_id(&id, "organization")?;
    let user_id = path_id(&user_id, "member")?;
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("organization"))?;
                super::require_member(conn, &caller, &id, true)?;
                let role = super::member_role(conn, &id, &user_id)?
                    .ok_or_else(|| AppError::not_found("member"))?;
                if role == MemberRole::Owner {
                    let owners: i64 = memberships::table
                        .filter(memberships::organization_id.eq(&id))
                        .filter(memberships::role.eq("owner"))
                        .count()
                        .get_result(conn)?;
                    if owners <= 1 {
                        return Err(AppError::conflict(
                            "last_owner",
                            "an organization keeps at least one owner",
                        ));
                    }
                }
                diesel::delete(memberships::table.find((&id, &user_id))).execute(conn)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
