//! User accounts: the model, its queries, and the admin's user management.

pub mod handlers;
pub mod manage;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{password, Role};
use crate::db::schema::users;
use crate::db::{is_unique_violation, new_id, now, DbConn};
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};
use crate::validate::{self, Checker};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    /// `None` for an account made with a phone number only.
    pub email: Option<String>,
    pub password_hash: String,
    pub full_name: String,
    pub role: Role,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When the owner proved they read this address (a verification or password-reset link).
    pub email_verified_at: Option<NaiveDateTime>,
    /// The language of the emails the account receives: `id` (the default) or `en`.
    pub language: String,
    /// Bumped whenever the account's powers change (role, disabled, password): access tokens
    /// carry the version they were issued at and stop working once it moved on.
    pub token_version: i32,
    /// The account's mobile number in E.164 (`+628…`), if it has one.
    pub phone: Option<String>,
    /// When the owner proved they read messages at this number (a one-time code).
    pub phone_verified_at: Option<NaiveDateTime>,
    /// When the owner agreed to be sent WhatsApp messages (tickets, hire confirmations).
    pub whatsapp_consent_at: Option<NaiveDateTime>,
}

/// The language of a user's emails: Bahasa Indonesia unless they chose English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Id,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Id => "id",
            Language::En => "en",
        }
    }

    /// The stored code; anything unknown reads as the default.
    pub fn parse(code: &str) -> Language {
        match code {
            "en" => Language::En,
            _ => Language::Id,
        }
    }
}

impl User {
    pub fn language(&self) -> Language {
        Language::parse(&self.language)
    }

    /// The number WhatsApp messages about fairs may go to: verified, and agreed to.
    pub fn whatsapp_number(&self) -> Option<&str> {
        match (
            &self.phone,
            self.phone_verified_at,
            self.whatsapp_consent_at,
        ) {
            (Some(phone), Some(_), Some(_)) => Some(phone),
            _ => None,
        }
    }
}

/// A user as the API shows it: never the password hash. Only the owner (`/me`) and admins see
/// it, so it may carry the contact data.
#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub full_name: String,
    pub role: Role,
    pub disabled: bool,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub whatsapp_consent: bool,
    pub language: String,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            phone: user.phone,
            full_name: user.full_name,
            role: user.role,
            disabled: user.disabled_at.is_some(),
            email_verified: user.email_verified_at.is_some(),
            phone_verified: user.phone_verified_at.is_some(),
            whatsapp_consent: user.whatsapp_consent_at.is_some(),
            language: user.language,
            created_at: user.created_at.and_utc(),
        }
    }
}

/// The fields of a new account, from self-registration or from an admin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// An email, a phone number, or both; an empty email is not none, it is invalid.
    pub email: Option<String>,
    /// An Indonesian mobile number (`08…`, `62…`, `+62…`), stored as E.164.
    pub phone: Option<String>,
    /// Agreement to WhatsApp messages at `phone`.
    #[serde(default)]
    pub whatsapp_consent: Option<bool>,
    pub password: Option<String>,
    pub full_name: Option<String>,
    pub role: Option<Role>,
    /// The language of the account's emails; `id` when absent.
    #[serde(default)]
    pub language: Option<Language>,
}

/// A new account that passed validation; its password is still plain until [`create`] hashes it.
pub struct ValidNewUser {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub whatsapp_consent: bool,
    pub password: String,
    pub full_name: String,
    pub role: Role,
    pub language: Language,
}

impl NewUserRequest {
    /// Checks every field; `allowed_roles` are the roles this caller may create.
    pub fn validate(self, allowed_roles: &[Role]) -> AppResult<ValidNewUser> {
        let mut c = Checker::new();
        if self.email.is_none() && self.phone.is_none() {
            c.fail("email", "an email or a phone number is required");
            c.fail("phone", "an email or a phone number is required");
        }
        let email = self
            .email
            .map(|email| validate::email(&mut c, "email", Some(email)));
        let phone = self
            .phone
            .map(|phone| validate::phone(&mut c, "phone", Some(phone)));
        let whatsapp_consent = self.whatsapp_consent.unwrap_or(false);
        if whatsapp_consent && phone.is_none() {
            c.fail("whatsapp_consent", "needs a phone number");
        }
        let password = match self.password {
            Some(password) => {
                check_password(&mut c, "password", &password);
                password
            }
            None => c.required("password", None),
        };
        let full_name = c.required_text("full_name", self.full_name, 1, 200);
        let role = match self.role {
            Some(role) if allowed_roles.contains(&role) => role,
            Some(_) => {
                let names: Vec<_> = allowed_roles.iter().map(|r| r.as_str()).collect();
                c.fail("role", format!("must be one of: {}", names.join(", ")));
                Role::JobSeeker
            }
            None => {
                c.fail("role", "is required");
                Role::JobSeeker
            }
        };
        c.finish()?;
        Ok(ValidNewUser {
            email,
            phone,
            whatsapp_consent,
            password,
            full_name,
            role,
            language: self.language.unwrap_or_default(),
        })
    }
}

/// Password rules: at least 10 characters, at most 256 (hashing cost is bounded).
pub fn check_password(c: &mut Checker, field: &str, password: &str) {
    if password.chars().count() < password::MIN_LENGTH {
        c.fail(
            field,
            format!("must be at least {} characters", password::MIN_LENGTH),
        );
    } else if password.len() > password::MAX_LENGTH {
        c.fail(
            field,
            format!("must be at most {} bytes", password::MAX_LENGTH),
        );
    }
}

/// Inserts the account, with the hash of its password (made off the async workers).
/// A taken email is 409 `email_taken`, a taken phone number 409 `phone_taken`.
pub fn create(conn: &mut DbConn, new: ValidNewUser, password_hash: String) -> AppResult<User> {
    let at = now();
    let user = User {
        id: new_id(),
        email: new.email,
        phone: new.phone,
        phone_verified_at: None,
        whatsapp_consent_at: new.whatsapp_consent.then_some(at),
        password_hash,
        full_name: new.full_name,
        role: new.role,
        disabled_at: None,
        created_at: at,
        updated_at: at,
        email_verified_at: None,
        language: new.language.as_str().to_owned(),
        token_version: 0,
    };
    if let Some(phone) = &user.phone {
        if find_by_phone(conn, phone)?.is_some() {
            return Err(phone_taken());
        }
    }
    let inserted = diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::email.eq(&user.email),
            users::phone.eq(&user.phone),
            users::whatsapp_consent_at.eq(user.whatsapp_consent_at),
            users::password_hash.eq(&user.password_hash),
            users::full_name.eq(&user.full_name),
            users::role.eq(user.role),
            users::language.eq(&user.language),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(user),
        // The phone was checked above (a failed statement ends a PostgreSQL transaction, so the
        // violation itself cannot be looked into); a race for it is the rare case left.
        Err(e) if is_unique_violation(&e) && user.email.is_none() => Err(phone_taken()),
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "email_taken",
            "an account with this email already exists",
        )),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// What decides, on every request, whether an access token still speaks for its user.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct SessionState {
    pub role: Role,
    pub disabled_at: Option<NaiveDateTime>,
    pub token_version: i32,
}

/// The user's current role, disabled mark and token version: one read by primary key.
pub fn session_state(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionState>> {
    users::table
        .find(id)
        .select(SessionState::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

fn phone_taken() -> AppError {
    AppError::conflict(
        "phone_taken",
        "an account with this phone number already exists",
    )
}

/// The account of an E.164 number.
pub fn find_by_phone(conn: &mut DbConn, phone: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::phone.eq(phone))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Users by creation (ids are time-ordered), optionally of one role.
pub fn list(
    conn: &mut DbConn,
    role: Option<Role>,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Page<User>> {
    let mut query = users::table.select(User::as_select()).into_boxed();
    if let Some(role) = role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.id.clone()));
    }
    let rows = query.order(users::id.asc()).limit(limit + 1).load(conn)?;
    Ok(Page::from_rows(rows, limit, |u| {
        Cursor::new("", u.id.clone())
    }))
}
