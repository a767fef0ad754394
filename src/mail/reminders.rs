//! Follow-up reminders: when the 90- or 180-day retention check of a verified placement falls
//! due and is missing, the employer's members and the job seeker are asked, once per
//! checkpoint. The mail worker looks once an hour; the `follow_up_reminders` row, inserted in
//! the transaction of the emails, keeps instances sharing a database from asking twice.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{recipients, render};
use crate::db::schema::{follow_up_reminders, organizations, vacancies};
use crate::db::{is_unique_violation, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::follow_ups::{self, DueFollowUp};

/// Checks that fell due within this many days are reminded of. Older gaps (history, imported
/// or seeded data) belong to the due list, not to anyone's mailbox.
pub const WINDOW_DAYS: i64 = 14;
/// Due checks looked at per checkpoint and pass.
const PAGE: i64 = 500;

/// Queues the reminders of every check that fell due in the last [`WINDOW_DAYS`] and was
/// neither recorded nor reminded of yet. Returns the number of emails queued.
pub fn queue_due(conn: &mut DbConn, public_url: &str, at: NaiveDateTime) -> AppResult<usize> {
    let today = at.date();
    let mut queued = 0;
    for checkpoint in follow_ups::CHECKPOINTS {
        let since = today - Duration::days(WINDOW_DAYS);
        let due = follow_ups::due_at(conn, checkpoint, today, None, Some((since, "")), PAGE)?;
        for item in due {
            let reminded = follow_up_reminders::table
                .find((&item.placement_id, checkpoint as i32))
                .count()
                .get_result::<i64>(conn)?;
            if reminded > 0 {
                continue;
            }
            match write_transaction(conn, |conn| remind(conn, &item, public_url, at)) {
                Ok(n) => queued += n,
                // Another instance reminded of it first.
                Err(e) if e.code == "already_reminded" => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(queued)
}

fn remind(
    conn: &mut DbConn,
    item: &DueFollowUp,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<usize> {
    let claimed = diesel::insert_into(follow_up_reminders::table)
        .values((
            follow_up_reminders::placement_id.eq(&item.placement_id),
            follow_up_reminders::checkpoint.eq(item.checkpoint as i32),
            follow_up_reminders::queued_at.eq(at),
        ))
        .execute(conn);
    match claimed {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::conflict("already_reminded", "reminded already"))
        }
        other => other?,
    };
    let (employer, position): (String, String) = crate::db::schema::placements::table
        .inner_join(organizations::table)
        .inner_join(vacancies::table)
        .filter(crate::db::schema::placements::id.eq(&item.placement_id))
        .select((organizations::name, vacancies::title))
        .first(conn)?;
    let due = render::FollowUpDue {
        checkpoint: item.checkpoint,
        job_seeker: &item.job_seeker_name,
        employer: &employer,
        position: &position,
        start_date: item.start_date,
        due_date: item.due_date,
    };
    let link = format!("{public_url}/placements/{}/follow-ups", item.placement_id);
    let mut emails = Vec::new();
    for member in recipients::organization(conn, &item.employer_id)? {
        emails.push(render::follow_up_reminder(
            &member.email,
            &member.name,
            member.language,
            &due,
            true,
            &link,
        ));
    }
    if let Some(contact) = recipients::job_seeker(conn, &item.job_seeker_id)? {
        emails.push(render::follow_up_reminder(
            &contact.email,
            &contact.name,
            contact.language,
            &due,
            false,
            &link,
        ));
    }
    for email in &emails {
        super::enqueue(conn, email, at)?;
    }
    Ok(emails.len())
}
