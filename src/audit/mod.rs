//! The audit log: every state change appends a record in the transaction of the change, so the
//! record exists exactly when the change does.
//!
//! Records form a chain. Each holds a SHA-256 over its own content and the previous record's
//! hash ([`chain_hash`]), so an edited, inserted or deleted row breaks the chain from there on;
//! `bursa audit verify` walks it and names the first broken link. No route updates or deletes
//! records, and national ID numbers never enter them (callers pass what changed, never a NIK).
//!
//! Appends do not take turns. [`record`] only inserts the record into `audit_pending`, in the
//! transaction of the change; no shared row is locked until commit, so writers across the
//! country never queue behind one another. The sealer ([`seal`], run by `crate::upkeep` about
//! once a second, and first by every reader of the log) then chains the committed pending records
//! onto `audit_log` in the order they became visible, under the one row of `audit_head` — a lock
//! only sealers take. On SQLite, whose writers take turns anyway, [`record`] seals at once.
//!
//! The tamper-evidence window this leaves: a record is covered by the chain once sealed, about a
//! second after its change commits (longer only while no instance runs the sealer). Until then,
//! someone with write access to the database could alter or remove it unnoticed; after, any edit
//! breaks the chain. `seq` is the order of sealing, not of the changes' clocks (`at`).

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_head, audit_log, audit_pending};
use crate::db::{new_id, now, DbConn};
use crate::error::{AppResult, StorageFault};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What changed: `action` is `entity.verb` (`event.publish`, `registration.check_in`, ...).
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// The event the change belongs to, if any: organizers read their own events' records.
    pub event_id: Option<&'a str>,
    /// The new values, or what moved from what. Never a NIK.
    pub changes: serde_json::Value,
}

/// A record as stored and shown.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub event_id: Option<String>,
    /// JSON text, as hashed.
    #[serde(serialize_with = "raw_json")]
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Shows the stored JSON text as JSON (or as a string, should a row have been tampered with).
fn raw_json<S: serde::Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => value.serialize(s),
        Err(_) => s.serialize_str(text),
    }
}

impl AuditRecord {
    /// The hash this record should carry after `prev_hash`.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        chain_hash(
            prev_hash,
            self.seq,
            &self.id,
            self.at,
            self.actor_user_id.as_deref(),
            &self.action,
            &self.entity,
            &self.entity_id,
            self.event_id.as_deref(),
            &self.changes,
        )
    }
}

/// SHA-256, hex, over the previous hash and every field of a record, serialized as one JSON
/// array (unambiguous: no two different records give the same text).
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    id: &str,
    at: NaiveDateTime,
    actor_user_id: Option<&str>,
    action: &str,
    entity: &str,
    entity_id: &str,
    event_id: Option<&str>,
    changes: &str,
) -> String {
    let content = serde_json::json!([
        prev_hash,
        seq,
        id,
        at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        actor_user_id,
        action,
        entity,
        entity_id,
        event_id,
        changes,
    ]);
    let digest = Sha256::digest(content.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends a record of `change` by `actor` (none for a change made through a token link), to
/// be chained by [`seal`]. Run it in the transaction of the change.
pub fn record(conn: &mut DbConn, actor: Option<&str>, change: Change<'_>) -> AppResult<()> {
    diesel::insert_into(audit_pending::table)
        .values(&NewRecord::new(actor, change))
        .execute(conn)?;
    if matches!(conn, DbConn::Sqlite(_)) {
        // In the change's own transaction (no savepoint): its record is the one pending.
        seal_batch(conn)?;
    }
    Ok(())
}

/// A record as [`record`] appends it to `audit_pending`.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_pending, treat_none_as_default_value = false)]
pub struct NewRecord<'a> {
    id: String,
    at: NaiveDateTime,
    actor_user_id: Option<&'a str>,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    event_id: Option<&'a str>,
    changes: String,
}

impl<'a> NewRecord<'a> {
    pub fn new(actor: Option<&'a str>, change: Change<'a>) -> Self {
        Self {
            id: new_id(),
            at: now(),
            actor_user_id: actor,
            action: change.action,
            entity: change.entity,
            entity_id: change.entity_id,
            event_id: change.event_id,
            changes: change.changes.to_string(),
        }
    }

    /// `INSERT INTO audit_pending ... SELECT <this record> FROM <rows>`: the record, appended
    /// only if `rows` (a common table expression of the statement) holds a row, for a
    /// statement that records its change only if the change happened. PostgreSQL only.
    pub fn push_insert_if_any<'b>(
        &'b self,
        out: &mut AstPass<'_, 'b, Pg>,
        rows: &'static str,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Nullable, Text, Timestamp};
        out.push_sql(
            "INSERT INTO audit_pending \
             (id, at, actor_user_id, action, entity, entity_id, event_id, changes) SELECT ",
        );
        out.push_bind_param::<Text, String>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, NaiveDateTime>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, Option<&str>>(&self.actor_user_id)?;
        for text in [self.action, self.entity, self.entity_id] {
            out.push_sql(", ");
            out.push_bind_param::<Text, str>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, Option<&str>>(&self.event_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.changes)?;
        out.push_sql(" FROM ");
        out.push_sql(rows);
        Ok(())
    }
}

/// When `actor` did `action` since `since`, sealed or still pending (for limits that count
/// an account's recorded actions). The pending ones are read first and each record counted once
/// by its id, so a record sealed between the two reads is neither missed nor counted twice.
pub fn times_of(
    conn: &mut DbConn,
    actor: &str,
    action: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    let mut times: std::collections::HashMap<String, NaiveDateTime> = audit_pending::table
        .filter(audit_pending::actor_user_id.eq(actor))
        .filter(audit_pending::action.eq(action))
        .filter(audit_pending::at.gt(since))
        .select((audit_pending::id, audit_pending::at))
        .load(conn)?
        .into_iter()
        .collect();
    let sealed: Vec<(String, NaiveDateTime)> = audit_log::table
        .filter(audit_log::actor_user_id.eq(actor))
        .filter(audit_log::action.eq(action))
        .filter(audit_log::at.gt(since))
        .select((audit_log::id, audit_log::at))
        .load(conn)?;
    times.extend(sealed);
    Ok(times.into_values().collect())
}

/// A committed record waiting for [`seal`].
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_pending)]
struct Pending {
    pending_seq: i64,
    id: String,
    at: NaiveDateTime,
    actor_user_id: Option<String>,
    action: String,
    entity: String,
    entity_id: String,
    event_id: Option<String>,
    changes: String,
}

/// A pending record chained: a row of `audit_log`.
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct Sealed<'a> {
    seq: i64,
    id: &'a str,
    at: NaiveDateTime,
    actor_user_id: Option<&'a str>,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    event_id: Option<&'a str>,
    changes: &'a str,
    prev_hash: String,
    hash: String,
}

/// Records chained per transaction of [`seal`].
const SEAL_BATCH: i64 = 500;

/// Chains every pending record that is visible (committed) onto the log, under `audit_head`'s
/// lock, a batch per transaction. Returns how many it sealed. Safe to run from several
/// instances at once: sealers take turns on the head, and each moves only the rows it read.
pub fn seal(conn: &mut DbConn) -> QueryResult<u64> {
    let mut sealed = 0;
    loop {
        let batch = conn.transaction(seal_batch)?;
        sealed += batch as u64;
        if (batch as i64) < SEAL_BATCH {
            return Ok(sealed);
        }
    }
}

fn seal_batch(conn: &mut DbConn) -> QueryResult<usize> {
    // Cheap when there is nothing to do: no lock taken.
    let any = diesel::select(diesel::dsl::exists(
        audit_pending::table.select(audit_pending::pending_seq),
    ))
    .get_result::<bool>(conn)?;
    if !any {
        return Ok(0);
    }
    // The head's row lock makes sealers take turns (a no-op update locks it on PostgreSQL).
    diesel::update(audit_head::table.find(1))
        .set(audit_head::seq.eq(audit_head::seq))
        .execute(conn)?;
    let (mut seq, mut prev_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let pending: Vec<Pending> = audit_pending::table
        .order(audit_pending::pending_seq.asc())
        .limit(SEAL_BATCH)
        .select(Pending::as_select())
        .load(conn)?;
    if pending.is_empty() {
        // Another sealer moved them while this one waited for the head.
        return Ok(0);
    }
    let mut sealed = Vec::with_capacity(pending.len());
    for record in &pending {
        seq += 1;
        let hash = chain_hash(
            &prev_hash,
            seq,
            &record.id,
            record.at,
            record.actor_user_id.as_deref(),
            &record.action,
            &record.entity,
            &record.entity_id,
            record.event_id.as_deref(),
            &record.changes,
        );
        sealed.push(Sealed {
            seq,
            id: &record.id,
            at: record.at,
            actor_user_id: record.actor_user_id.as_deref(),
            action: &record.action,
            entity: &record.entity,
            entity_id: &record.entity_id,
            event_id: record.event_id.as_deref(),
            changes: &record.changes,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    // The batch is one insert: a statement per record would cost the sealer more than the
    // writers it serves.
    let insert = diesel::insert_into(audit_log::table).values(&sealed);
    match conn {
        DbConn::Postgres(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    let moved: Vec<i64> = pending.iter().map(|r| r.pending_seq).collect();
    diesel::delete(audit_pending::table.filter(audit_pending::pending_seq.eq_any(&moved)))
        .execute(conn)?;
    diesel::update(audit_head::table.find(1))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev_hash)))
        .execute(conn)?;
    Ok(pending.len())
}

/// What changed between two views of a row: `{"field": {"from": .., "to": ..}}` for every field
/// whose value differs (`updated_at` aside, which moves with every change).
pub fn diff(before: &impl Serialize, after: &impl Serialize) -> serde_json::Value {
    use serde_json::{Map, Value};
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Value::Object(Map::new());
    };
    let mut out = Map::new();
    for (key, to) in after {
        if key == "updated_at" {
            continue;
        }
        let from = before.get(&key).cloned().unwrap_or(Value::Null);
        if from != to {
            out.insert(key, serde_json::json!({ "from": from, "to": to }));
        }
    }
    Value::Object(out)
}

/// The first link of the chain that does not hold, as `bursa audit verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The seq of the bad record (for a missing record, the seq expected there).
    pub seq: i64,
    /// The id of the bad record, if there is a row to name.
    pub id: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(
                f,
                "audit chain broken at seq {} (id {id}): {}",
                self.seq, self.problem
            ),
            None => write!(
                f,
                "audit chain broken at seq {}: {}",
                self.seq, self.problem
            ),
        }
    }
}

/// Why verification stopped: a broken link, or the database failed.
#[derive(Debug)]
pub enum VerifyError {
    Broken(BrokenLink),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for VerifyError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error)
    }
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Broken(link) => link.fmt(f),
            Self::Database(error) => write!(f, "reading the audit log failed: {error}"),
        }
    }
}

/// Records read per query while verifying.
const VERIFY_BATCH: i64 = 1000;

/// Walks the whole chain in `seq` order, a batch at a time: seqs run 1..n without gaps, each
/// record links to the previous one's hash (the genesis hash first), each hash is the hash of
/// its record, and the head names the last record. Returns the number of records, or the first
/// link that does not hold.
///
/// It seals what is pending first, so that every committed record is checked, then reads one
/// snapshot (a read transaction; `REPEATABLE READ` on PostgreSQL), so records appended meanwhile
/// by a running service are neither half-seen nor taken for a broken head.
pub fn verify(conn: &mut DbConn) -> Result<u64, VerifyError> {
    match seal(conn) {
        Ok(_) => {}
        // A read-only copy (a standby, a restored file mounted read-only): what is sealed is
        // verified; the pending records are for the primary to seal.
        Err(error) if StorageFault::of(&error) == Some(StorageFault::ReadOnly) => {}
        Err(error) => return Err(error.into()),
    }
    conn.transaction(|conn| {
        if let DbConn::Postgres(pg) = conn {
            use diesel::connection::SimpleConnection;
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        verify_snapshot(conn)
    })
}

fn verify_snapshot(conn: &mut DbConn) -> Result<u64, VerifyError> {
    let broken = |seq: i64, id: Option<&str>, problem: String| {
        VerifyError::Broken(BrokenLink {
            seq,
            id: id.map(str::to_owned),
            problem,
        })
    };
    let mut last_seq = 0_i64;
    let mut last_hash = GENESIS_HASH.to_owned();
    loop {
        let batch: Vec<AuditRecord> = audit_log::table
            .filter(audit_log::seq.gt(last_seq))
            .order(audit_log::seq.asc())
            .limit(VERIFY_BATCH)
            .select(AuditRecord::as_select())
            .load(conn)?;
        let done = (batch.len() as i64) < VERIFY_BATCH;
        for record in batch {
            let expected_seq = last_seq + 1;
            if record.seq != expected_seq {
                return Err(broken(
                    expected_seq,
                    None,
                    format!(
                        "record {expected_seq} is missing (the next one is seq {}, id {})",
                        record.seq, record.id
                    ),
                ));
            }
            if record.prev_hash != last_hash {
                return Err(broken(
                    record.seq,
                    Some(&record.id),
                    "prev_hash does not match the previous record's hash".into(),
                ));
            }
            if record.hash != record.expected_hash(&last_hash) {
                return Err(broken(
                    record.seq,
                    Some(&record.id),
                    "hash does not match the record's content".into(),
                ));
            }
            last_seq = record.seq;
            last_hash = record.hash;
        }
        if done {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    if head_seq != last_seq {
        let problem = if head_seq > last_seq {
            format!("the head is at seq {head_seq} but the log ends at seq {last_seq}: records at the end are missing")
        } else {
            format!("the log runs to seq {last_seq} but the head says {head_seq}")
        };
        return Err(broken(last_seq.max(head_seq), None, problem));
    }
    if head_hash != last_hash {
        return Err(broken(
            head_seq,
            None,
            "the head's hash does not match the last record's hash".into(),
        ));
    }
    Ok(last_seq as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 123_456)
            .unwrap();
        let base = chain_hash(
            GENESIS_HASH,
            1,
            "id",
            at,
            Some("u"),
            "event.publish",
            "event",
            "e",
            Some("e"),
            "{}",
        );
        assert_eq!(base.len(), 64);
        let variants = [
            chain_hash(
                "1",
                1,
                "id",
                at,
                Some("u"),
                "event.publish",
                "event",
                "e",
                Some("e"),
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                2,
                "id",
                at,
                Some("u"),
                "event.publish",
                "event",
                "e",
                Some("e"),
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "id",
                at,
                None,
                "event.publish",
                "event",
                "e",
                Some("e"),
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "id",
                at,
                Some("u"),
                "event.cancel",
                "event",
                "e",
                Some("e"),
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "id",
                at,
                Some("u"),
                "event.publish",
                "event",
                "e",
                None,
                "{}",
            ),
            chain_hash(
                GENESIS_HASH,
                1,
                "id",
                at,
                Some("u"),
                "event.publish",
                "event",
                "e",
                Some("e"),
                "{\"a\":1}",
            ),
        ];
        for variant in variants {
            assert_ne!(variant, base);
        }
    }
}
