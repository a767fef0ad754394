//! What a fair's ticket holders are told when it changes after they registered: a new time or
//! place (their ticket stays valid) or its cancellation. By email and by WhatsApp, as each
//! person can be reached ([`mail::recipients::ticket_holders`]), queued in the change's own
//! transaction: the messages exist only if the change does.

use chrono::NaiveDateTime;

use super::{Event, EventStatus};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::mail::render::{EventDetails, FairChange};
use crate::registrations::operations::ticket_link;
use crate::{mail, whatsapp};

/// Whether a published fair's change is one its ticket holders must hear of: the time, the
/// place or the format (a title or description edit is not).
pub(super) fn is_reschedule(before: &Event, after: &Event) -> bool {
    before.status == EventStatus::Published
        && (before.starts_at != after.starts_at
            || before.ends_at != after.ends_at
            || before.venue != after.venue
            || before.city != after.city
            || before.province_code != after.province_code
            || before.format != after.format)
}

/// Tells every ticket holder of `event` (as it is now) of the change. Returns how many people
/// were written to.
pub(super) fn tell_ticket_holders(
    conn: &mut DbConn,
    event: &Event,
    change: FairChange,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<usize> {
    let details = EventDetails {
        title: &event.title,
        format: event.format.as_str(),
        venue: event.venue.as_deref(),
        city: &event.city,
        province_code: &event.province_code,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
    };
    let holders = mail::recipients::ticket_holders(conn, &event.id)?;
    let mut told = 0;
    for (registration_id, reach) in &holders {
        // A cancelled fair's ticket is void: the message links to the fair's page.
        let link = match change {
            FairChange::Rescheduled => ticket_link(public_url, reach, &event.id, registration_id),
            FairChange::Cancelled => format!("{public_url}/events/{}", event.id),
        };
        if let Some(email) = &reach.email {
            let email = mail::render::fair_changed(
                email,
                &reach.name,
                reach.language,
                &details,
                &change,
                &link,
            );
            mail::enqueue(conn, &email, at)?;
        }
        if let Some(number) = &reach.whatsapp {
            let message = whatsapp::Message::fair_changed(
                number,
                reach.language,
                &reach.name,
                &details,
                &change,
                &link,
            );
            whatsapp::enqueue(conn, &message, at)?;
        }
        if reach.email.is_some() || reach.whatsapp.is_some() {
            told += 1;
        }
    }
    Ok(told)
}
