//! Keyset pagination, the same for every list: `?limit=` (1 to 100, default 20) and the opaque
//! `?cursor=` from the previous page's `next_cursor`. A cursor holds the sort key and id of the
//! last row served, so a page is an index range scan however deep it is, and rows inserted
//! meanwhile neither repeat nor vanish.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// `rows` were fetched with `limit + 1`: the extra row, if any, says that a next page exists.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| cursor_of(last).encode())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The limit asked for, checked.
pub fn limit(raw: Option<i64>) -> AppResult<i64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// The position after the last row served: its sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

impl Cursor {
    pub fn new(key: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            id: id.into(),
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.key, self.id))
    }

    pub fn decode(raw: &str) -> AppResult<Self> {
        let invalid = || AppError::invalid_field("cursor", "is not a cursor this API issued");
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (key, id) = text.split_once('\n').ok_or_else(invalid)?;
        uuid::Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(Self::new(key, id))
    }

    /// The sort key read as a timestamp, for lists ordered by time.
    pub fn key_as_time(&self) -> AppResult<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(&self.key, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| AppError::invalid_field("cursor", "is not a cursor this API issued"))
    }

    pub fn from_time(at: chrono::NaiveDateTime, id: &str) -> Self {
        Self::new(at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(), id)
    }
}

/// Decodes an optional cursor parameter.
pub fn cursor(raw: Option<&str>) -> AppResult<Option<Cursor>> {
    raw.map(Cursor::decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 5)
            .unwrap();
        let id = uuid::Uuid::now_v7().to_string();
        let cursor = Cursor::from_time(at, &id);
        let decoded = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!(decoded, cursor);
        assert_eq!(decoded.key_as_time().unwrap(), at);
        assert!(Cursor::decode("not-a-cursor").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x\nnot-a-uuid")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(Some(100)).unwrap(), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let cursor_of = |n: &i32| Cursor::new(n.to_string(), uuid::Uuid::nil().to_string());
        let page = Page::from_rows(vec![1, 2, 3], 2, cursor_of);
        assert_eq!(page.items, [1, 2]);
        assert!(page.next_cursor.is_some());
        let page = Page::from_rows(vec![1, 2], 2, cursor_of);
        assert!(page.next_cursor.is_none());
    }
}
