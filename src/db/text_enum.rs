//! Closed sets stored in text columns: statuses, roles, kinds.
//!
//! [`text_enum!`](crate::text_enum) declares the enum once and gives it everything a model needs:
//! its snake_case text (`as_str`, `parse`, `Display`, serde), the list of its values (`ALL`), and
//! diesel's mapping to a `Text` column on both engines, so a model field is typed
//! (`status: EventStatus`) and a query can filter on it (`events::status.eq(EventStatus::Draft)`).
//! A value in the database that the enum does not know is a deserialization error, never a
//! silent default.

/// Declares a closed set stored as text. Each variant names its text:
///
/// ```
/// bursa::text_enum! {
///     /// Where a thing is in its life.
///     #[derive(Default)]
///     pub enum Stage {
///         #[default]
///         Open = "open",
///         Done = "done",
///     }
/// }
/// assert_eq!(Stage::parse("done"), Some(Stage::Done));
/// assert_eq!(Stage::Open.to_string(), "open");
/// ```
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $ty {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The text stored and shown for this value.
            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }

            /// The value of a stored or submitted text, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($ty::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::text_enum!(@sql $ty, diesel::sqlite::Sqlite);
        $crate::text_enum!(@sql $ty, diesel::pg::Pg);

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $ty {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                bytes.from_sql::<$ty, diesel::sql_types::Text>()
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };

    (@sql $ty:ident, $backend:ty) => {
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $backend> for $ty {
            fn from_sql(
                bytes: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text =
                    <String as diesel::deserialize::FromSql<diesel::sql_types::Text, $backend>>::from_sql(bytes)?;
                $ty::parse(&text).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($ty), " {:?} in the database"), text).into()
                })
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $backend> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $backend>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, $backend>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::DatabaseUrl;

    crate::text_enum! {
        #[derive(Default)]
        enum Sample {
            #[default]
            First = "first",
            SecondOne = "second_one",
        }
    }

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        value: Sample,
    }

    #[test]
    fn text_round_trips_and_unknown_text_is_an_error() {
        assert_eq!(Sample::ALL, &[Sample::First, Sample::SecondOne]);
        assert_eq!(Sample::parse("second_one"), Some(Sample::SecondOne));
        assert_eq!(Sample::parse("Second_one"), None);
        assert_eq!(Sample::default().to_string(), "first");
        assert_eq!(
            serde_json::to_string(&Sample::SecondOne).ok().as_deref(),
            Some("\"second_one\"")
        );

        let mut conn = DatabaseUrl::Sqlite(":memory:".into())
            .connect()
            .expect("in-memory SQLite");
        let row: Row = diesel::sql_query("SELECT ? AS value")
            .bind::<Text, _>(Sample::SecondOne)
            .get_result(&mut conn)
            .expect("a known value reads back");
        assert_eq!(row.value, Sample::SecondOne);
        let unknown = diesel::sql_query("SELECT 'third' AS value").get_result::<Row>(&mut conn);
        assert!(unknown.is_err());
    }
}
