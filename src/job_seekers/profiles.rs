//! The operations on profiles: create, read (one, the caller's own) and change.

use serde::Deserialize;

use super::lookup::{self, Via};
use super::rules::{check_city, check_disability_type, check_email, check_full_name, check_phone};
use super::{find_by_nik_hash, JobSeeker, NewJobSeeker, ProfileFields};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::job_seekers;
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::validate::Checker;
use diesel::prelude::*;

/// Fields whose values identify or reach the person: the audit chain, which can never be
/// edited, records that they changed, never their values.
pub const PERSONAL_FIELDS: &[&str] = &["full_name", "phone", "email", "birth_date", "nik_last4"];

/// A `job_seeker` creates their own profile (one per account); organizer staff and admins record
/// a walk-in's profile, tied to no account. The person's consent must be given and is recorded
/// with who recorded it. A NIK already registered is 409 `nik_registered`, naming no one; the
/// look-up is rate-limited and audited (see [`lookup`]).
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: NewJobSeeker,
    nik_key: &[u8],
) -> AppResult<JobSeeker> {
    guards::role(caller, &[Role::JobSeeker, Role::Organizer, Role::Admin])?;
    let profile = input.validate(nik_key)?;
    let user_id = (caller.role == Role::JobSeeker).then_some(caller.id.as_str());
    if user_id.is_some() {
        if let Some(existing) = super::find_by_user(conn, &caller.id)? {
            return Err(super::profile_exists(&existing.id));
        }
    }
    let at = now();
    lookup::check_rate(conn, caller, at)?;
    if find_by_nik_hash(conn, profile.nik_hash())?.is_some() {
        lookup::record(conn, caller, None, Via::NewProfile, false, None)?;
        return Err(super::nik_registered());
    }
    let id = new_id();
    write_transaction(conn, |conn| {
        let job_seeker = super::insert(conn, &profile.row(&id, user_id, &caller.id, at))?;
        audit::record(
            conn,
            Some(&caller.id),
            super::created_change(&job_seeker, None),
        )?;
        Ok(job_seeker)
    })
}

/// The profile, if the caller may read it (see [`super::find_visible`]); 404 otherwise.
pub fn get(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<JobSeeker> {
    super::find_visible(conn, id, caller)?.ok_or_else(|| AppError::not_found("job seeker"))
}

/// The caller's own profile (404 when they have none).
pub fn me(conn: &mut DbConn, caller: &AuthUser) -> AppResult<JobSeeker> {
    super::find_by_user(conn, &caller.id)?.ok_or_else(|| AppError::not_found("job seeker profile"))
}

/// The NIK, gender, birth date and consent are not here: they cannot be changed (an unknown
/// field is 422).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    education_level: Option<super::EducationLevel>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    disability: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    disability_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    email: Option<Option<String>>,
    /// `true` records consent to WhatsApp at the phone (by the caller), `false` withdraws it.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    whatsapp_consent: Option<bool>,
}

/// The person, admins, and the user who recorded a walk-in profile change it. Others who may
/// read it get 403; those who may not, 404. The merged profile must pass the rules of a new one.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    patch: JobSeekerPatch,
) -> AppResult<JobSeeker> {
    let mut c = Checker::new();
    let full_name = patch.full_name.map(|v| check_full_name(&mut c, v));
    let province_code = patch.province_code.map(|v| c.province("province_code", v));
    let city = patch.city.map(|v| check_city(&mut c, v));
    let disability_type = patch
        .disability_type
        .map(|v| check_disability_type(&mut c, v));
    let phone = patch.phone.map(|v| check_phone(&mut c, v));
    let email = patch.email.map(|v| check_email(&mut c, v));
    c.finish()?;
    write_transaction(conn, |conn| {
        let before = get(conn, caller, id)?;
        if !before.editable_by(caller) {
            return Err(AppError::forbidden(
                "only the job seeker, the staff member who recorded a walk-in profile, and admins may change it",
            ));
        }
        let current = ProfileFields::from_job_seeker(&before);
        let merged = ProfileFields {
            full_name: full_name.clone().unwrap_or(current.full_name),
            education_level: patch.education_level.unwrap_or(current.education_level),
            province_code: province_code.clone().unwrap_or(current.province_code),
            city: city.clone().unwrap_or(current.city),
            disability: patch.disability.unwrap_or(current.disability),
            disability_type: disability_type.clone().unwrap_or(current.disability_type),
            phone: phone.clone().unwrap_or(current.phone),
            email: email.clone().unwrap_or(current.email),
        };
        let mut c = Checker::new();
        merged.check(&mut c);
        // Consent is to one number: a new number needs it given again.
        let phone_changed = merged.phone != before.phone;
        let consent = match patch.whatsapp_consent {
            Some(true) => {
                let mobile = merged
                    .phone
                    .as_deref()
                    .and_then(crate::validate::normalise_phone);
                c.check(
                    mobile.is_some(),
                    "whatsapp_consent",
                    "needs an Indonesian mobile number in phone (08…, 62… or +62…)",
                );
                let kept = !phone_changed && before.whatsapp_consent_at.is_some();
                if kept {
                    (
                        before.whatsapp_consent_at,
                        before.whatsapp_consent_recorded_by.clone(),
                    )
                } else {
                    (Some(now()), Some(caller.id.clone()))
                }
            }
            Some(false) => (None, None),
            None if phone_changed => (None, None),
            None => (
                before.whatsapp_consent_at,
                before.whatsapp_consent_recorded_by.clone(),
            ),
        };
        c.finish()?;
        diesel::update(job_seekers::table.find(id))
            .set((
                merged.columns(),
                job_seekers::whatsapp_consent_at.eq(consent.0),
                job_seekers::whatsapp_consent_recorded_by.eq(consent.1),
                job_seekers::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let updated = super::find(conn, id)?.ok_or_else(|| AppError::not_found("job seeker"))?;
        if (updated.education_level, updated.disability)
            != (before.education_level, before.disability)
        {
            crate::metrics::tally::profile_changed(conn, id)?;
        }
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "job_seeker.update",
                entity: "job_seeker",
                entity_id: id,
                event_id: None,
                changes: personal_redacted(audit::diff(&before, &updated)),
            },
        )?;
        Ok(updated)
    })
}

/// An audit diff with the values of [`PERSONAL_FIELDS`] replaced by `{"changed": true}`.
pub fn personal_redacted(mut diff: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = diff.as_object_mut() {
        for field in PERSONAL_FIELDS {
            if let Some(value) = fields.get_mut(*field) {
                *value = serde_json::json!({ "changed": true });
            }
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_values_never_enter_the_audit() {
        let diff = serde_json::json!({
            "phone": {"from": "081234567890", "to": "089876543210"},
            "email": {"from": null, "to": "siti@example.com"},
            "city": {"from": "Bekasi", "to": "Depok"},
        });
        let redacted = personal_redacted(diff);
        assert_eq!(
            redacted,
            serde_json::json!({
                "phone": {"changed": true},
                "email": {"changed": true},
                "city": {"from": "Bekasi", "to": "Depok"},
            })
        );
        let text = redacted.to_string();
        assert!(!text.contains("0812") && !text.contains("siti@"));
    }
}
