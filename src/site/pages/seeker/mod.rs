//! The job seeker's pages after the profile: register for a fair (from its page) and the ticket,
//! `/me/registrations/{id}` (QR code, the code written out, time and place; it prints and opens
//! offline once seen); apply to a vacancy and `/me/applications` with each one's history;
//! `/me/hires`, where a reported hire is confirmed or disputed. Each action calls the domain
//! function the API calls; the page only turns its answer into a page.

pub mod applications;
pub mod hires;
pub mod registrations;

use actix_web::{web, HttpRequest, HttpResponse};

use super::events::{self, VacancyFilters};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::site::{error_response, i18n, redirect, Frame, Visitor};
use crate::users::Language;
use crate::AppState;

/// How many rows the personal lists show: far more than one person has.
const LIST_LIMIT: i64 = crate::pagination::MAX_LIMIT;

/// The signed-in account, or the way to sign in and come back to `back` (boxed: a response is
/// large, and this is the rare path).
pub(in crate::site) fn signed_in(
    visitor: &Visitor,
    back: &str,
) -> Result<AuthUser, Box<HttpResponse>> {
    visitor.auth().ok_or_else(|| {
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        Box::new(redirect(&format!("/sign-in?{query}")))
    })
}

fn frame(visitor: &Visitor, req: &HttpRequest, area: &str) -> Frame {
    super::account::frame(visitor, req, area)
}

/// The catalogue text of a refusal the fair page explains, by the domain's error code.
fn refusal_text(lang: Language, code: &str) -> Option<&'static str> {
    let key = match code {
        "event_full" => "seeker.refused_event_full",
        "registration_closed" => "seeker.refused_registration_closed",
        "event_not_open" => "seeker.refused_event_not_open",
        "vacancy_closed" => "seeker.refused_vacancy_closed",
        "not_registered" => "seeker.refused_not_registered",
        "already_applied" => "seeker.refused_already_applied",
        _ => return None,
    };
    Some(i18n::text(lang, key))
}

/// The answer to a refused registration or application: the profile form first (then back to
/// the fair), the fair's page with what happened, or the error page.
async fn refused(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    event_id: String,
    error: AppError,
) -> HttpResponse {
    if error.code == "profile_required" {
        let query = serde_urlencoded::to_string([("next", format!("/events/{event_id}"))])
            .unwrap_or_default();
        return redirect(&format!("/me/profile?{query}"));
    }
    match refusal_text(visitor.lang, &error.code) {
        Some(text) => {
            events::show_page(
                visitor,
                req,
                state,
                event_id,
                VacancyFilters::default(),
                Some(text),
                error.status,
            )
            .await
        }
        None => error_response(&visitor, &error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applications::ApplicationStatus;
    use crate::placements::PlacementStatus;

    #[test]
    fn every_status_has_its_words() {
        for lang in [Language::Id, Language::En] {
            for status in ApplicationStatus::ALL {
                let key = format!("application_status.{}", status.as_str());
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
            for status in PlacementStatus::ALL {
                let key = format!("placement_status.{}", status.as_str());
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
        }
    }
}
