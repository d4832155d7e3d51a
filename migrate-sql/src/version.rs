//! Migration ids from Diesel versions and timestamps: the one rule the macros, the runtime and
//! `migrate new` share.
//!
//! A Diesel migration directory is named `<version>_<name>`; its version is the text before the
//! first `_` with every `-` removed (what `diesel_migrations` stores in
//! `__diesel_schema_migrations`): `2024-01-31-120000_create_users` has version `20240131120000`.
//! Its migration id is that version read as a decimal number, so timestamp versions order by
//! time, and after every small hand-numbered id (`1`, `2`, … sort before `20240131120000`).
//!
//! Diesel orders versions as text. Read as numbers, versions of one length order the same way;
//! a directory whose versions would order differently as numbers (`9` and `10`) is refused,
//! since adopting it would change the order its migrations run in. The version of all zeros
//! (Diesel's `00000000000000_diesel_initial_setup`) has id 1, because id 0 means "before every
//! migration" (`migrate down --to 0`).

use std::fmt;

/// Why a directory name is not a Diesel migration name this framework can adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// No `_` separates a version from a name.
    NoName,
    /// The version (dashes removed) is empty or holds something else than digits.
    NotDigits(String),
    /// The version has more than 18 digits: its id would not fit the history's `BIGINT`.
    TooLong(String),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::NoName => f.write_str(
                "a migration directory is named `<version>_<name>`, for example `2024-01-31-120000_create_users`",
            ),
            VersionError::NotDigits(v) => write!(
                f,
                "version `{v}` is not made of digits (and dashes): ids are numbers, write a timestamp such as `2024-01-31-120000`"
            ),
            VersionError::TooLong(v) => write!(
                f,
                "version `{v}` has more than 18 digits, too many for an id: use a timestamp such as `20240131120000`"
            ),
        }
    }
}

/// A Diesel migration directory's name, split: `(version, name)`, the version without dashes.
///
/// ```
/// use migrate_sql::version::split_directory_name;
/// assert_eq!(
///     split_directory_name("2024-01-31-120000_create_users"),
///     Ok(("20240131120000".to_owned(), "create_users"))
/// );
/// ```
pub fn split_directory_name(dir: &str) -> Result<(String, &str), VersionError> {
    let (version, name) = dir.split_once('_').ok_or(VersionError::NoName)?;
    if name.is_empty() {
        return Err(VersionError::NoName);
    }
    Ok((version.replace('-', ""), name))
}

/// The migration id of a Diesel version (dashes already removed).
///
/// ```
/// use migrate_sql::version::id_of_version;
/// assert_eq!(id_of_version("20240131120000"), Ok(20240131120000));
/// assert_eq!(id_of_version("00000000000000"), Ok(1));
/// ```
pub fn id_of_version(version: &str) -> Result<u64, VersionError> {
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VersionError::NotDigits(version.to_owned()));
    }
    if version.trim_start_matches('0').len() > 18 {
        return Err(VersionError::TooLong(version.to_owned()));
    }
    // At most 18 significant digits: below i64::MAX, so parsing cannot fail.
    let id = version.parse::<u64>().unwrap_or(u64::MAX);
    Ok(id.max(1))
}

/// Whether `id` looks like a timestamp id (`YYYYMMDDHHMMSS`, 14 digits from year 1000 on), as
/// `migrate new` writes when a set already uses them.
///
/// ```
/// use migrate_sql::version::is_timestamp_id;
/// assert!(is_timestamp_id(20240131120000));
/// assert!(!is_timestamp_id(12));
/// ```
pub fn is_timestamp_id(id: u64) -> bool {
    (10_000_000_000_000..100_000_000_000_000).contains(&id)
}

/// The timestamp id of a moment given as seconds since the Unix epoch (UTC):
/// `YYYYMMDDHHMMSS`.
///
/// ```
/// use migrate_sql::version::timestamp_id;
/// assert_eq!(timestamp_id(1_706_702_400), 20240131120000);
/// ```
pub fn timestamp_id(unix_seconds: u64) -> u64 {
    let days = unix_seconds / 86_400;
    let rest = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    ((((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 100 + second
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names() {
        assert_eq!(
            split_directory_name("20240131120000_add_orders"),
            Ok(("20240131120000".to_owned(), "add_orders"))
        );
        assert_eq!(
            split_directory_name("00000000000000_diesel_initial_setup"),
            Ok(("00000000000000".to_owned(), "diesel_initial_setup"))
        );
        assert_eq!(
            split_directory_name("createusers"),
            Err(VersionError::NoName)
        );
        assert_eq!(split_directory_name("2024_"), Err(VersionError::NoName));
    }

    #[test]
    fn ids() {
        assert_eq!(id_of_version("0001"), Ok(1));
        assert_eq!(id_of_version("42"), Ok(42));
        assert_eq!(
            id_of_version("2024x"),
            Err(VersionError::NotDigits("2024x".into()))
        );
        assert_eq!(id_of_version(""), Err(VersionError::NotDigits("".into())));
        assert_eq!(
            id_of_version("1234567890123456789"),
            Err(VersionError::TooLong("1234567890123456789".into()))
        );
        assert_eq!(
            id_of_version("999999999999999999"),
            Ok(999_999_999_999_999_999)
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp_id(0), 19700101000000);
        assert_eq!(timestamp_id(951_782_400), 20000229000000); // a leap day
        assert_eq!(timestamp_id(1_798_761_599), 20261231235959);
        assert!(is_timestamp_id(timestamp_id(1_798_761_599)));
    }
}
