//! SQL text a migration hands to [`Migration::execute`](crate::Migration::execute).

use migrate_sql::Dialect;
use std::borrow::Cow;

/// SQL that [`Migration::execute`](crate::Migration::execute) accepts: portable text (`&str`,
/// `String`) that every database runs as is, or a [`DialectSql`] holding one statement per dialect.
pub trait Sql {
    /// The statement for `dialect`, or `None` if none was written for it.
    fn for_dialect(&self, dialect: Dialect) -> Option<Cow<'_, str>>;
}

impl Sql for str {
    fn for_dialect(&self, _: Dialect) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl Sql for String {
    fn for_dialect(&self, _: Dialect) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl<T: Sql + ?Sized> Sql for &T {
    fn for_dialect(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        (**self).for_dialect(dialect)
    }
}

/// One statement written separately for each dialect: what the [`sql!`](crate::sql) macro builds
/// after checking each text with that dialect's parser.
///
/// ```
/// use migrate_core::{Dialect, sql};
/// let now = sql! {
///     postgres: "UPDATE orders SET created_at = NOW()",
///     mysql: "UPDATE orders SET created_at = NOW()",
///     sqlite: "UPDATE orders SET created_at = datetime('now')",
/// };
/// assert_eq!(now.get(Dialect::Sqlite), Some("UPDATE orders SET created_at = datetime('now')"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DialectSql {
    postgres: Option<&'static str>,
    mysql: Option<&'static str>,
    sqlite: Option<&'static str>,
}

impl DialectSql {
    /// Built by the `sql!` macro, which has checked each statement.
    #[doc(hidden)]
    pub const fn __new(
        postgres: Option<&'static str>,
        mysql: Option<&'static str>,
        sqlite: Option<&'static str>,
    ) -> Self {
        DialectSql {
            postgres,
            mysql,
            sqlite,
        }
    }

    /// The statement for `dialect`, if one was written.
    pub const fn get(&self, dialect: Dialect) -> Option<&'static str> {
        match dialect {
            Dialect::Postgres => self.postgres,
            Dialect::Mysql => self.mysql,
            Dialect::Sqlite => self.sqlite,
        }
    }
}

impl Sql for DialectSql {
    fn for_dialect(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        self.get(dialect).map(Cow::Borrowed)
    }
}
