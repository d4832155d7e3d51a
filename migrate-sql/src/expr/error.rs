//! Why an expression cannot be rendered.

use crate::Dialect;
use std::fmt;

/// An expression, or one of its parts, that cannot be written with the same meaning for a dialect.
///
/// Either the dialect lacks the construct (`md5` on SQLite, a `sql!` fragment without a SQLite
/// version), or the construct breaks a rule of the language that keeps the databases in agreement
/// (`%` of floats, `as String` of a float, ...); the latter holds for every dialect and
/// [`Untranslatable::everywhere`] says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable {
    /// The construct, as the user wrote it: "`md5`", "`/`", "`as String`".
    pub construct: String,
    /// The dialect it was being rendered for.
    pub dialect: Dialect,
    /// What is wrong and what to do instead, as a sentence that follows the construct.
    pub reason: String,
    /// Whether it fails on every dialect (a rule of the language), not only on `dialect`.
    pub everywhere: bool,
    /// The argument (from 0) of a function call that is at fault, when it is one argument.
    pub argument: Option<usize>,
}

impl Untranslatable {
    /// `construct` does not exist on `dialect`; `why` says what to do instead.
    pub(crate) fn missing(construct: impl Into<String>, dialect: Dialect, why: &str) -> Self {
        Untranslatable {
            construct: construct.into(),
            dialect,
            reason: format!("has no {} equivalent: {why}", dialect.display_name()),
            everywhere: false,
            argument: None,
        }
    }

    /// `construct` breaks a rule of the language; `reason` continues the sentence after it.
    pub(crate) fn rule(construct: impl Into<String>, dialect: Dialect, reason: String) -> Self {
        Untranslatable {
            construct: construct.into(),
            dialect,
            reason,
            everywhere: true,
            argument: None,
        }
    }

    /// Points the error at argument `index` of a call.
    pub(crate) fn at_argument(mut self, index: usize) -> Self {
        self.argument = Some(index);
        self
    }
}

impl fmt::Display for Untranslatable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.construct, self.reason)
    }
}

impl std::error::Error for Untranslatable {}
