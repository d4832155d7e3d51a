//! The functions of the language: their names, signatures and arities, the checks on their
//! arguments, and where each one's per-dialect SQL lives (text functions in [`text`], dates in
//! [`time`], the rest here).

mod text;
mod time;

use super::error::Untranslatable;
use super::render::{self, Sql};
use super::types::ValueType;
use super::{Expr, Literal};
use crate::Dialect;
use std::fmt;
use time::DatePart;

/// A function of the expression language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `year(ts)`: the year of a timestamp or date.
    Year,
    /// `month(ts)`: its month, 1 to 12.
    Month,
    /// `day(ts)`: its day of the month, 1 to 31.
    Day,
    /// `now()`: the statement's start time, UTC, to the second.
    Now,
    /// `concat(a, b, ...)`: the arguments' text joined; NULL if any is NULL.
    Concat,
    /// `coalesce(a, b, ...)`: the first argument that is not NULL.
    Coalesce,
    /// `nullif(a, b)`: NULL if `a` equals `b`, else `a`.
    Nullif,
    /// `is_null(x)`: whether `x` is NULL.
    IsNull,
    /// `is_not_null(x)`: whether `x` is not NULL.
    IsNotNull,
    /// `lower(s)`: ASCII letters in lower case.
    Lower,
    /// `upper(s)`: ASCII letters in upper case.
    Upper,
    /// `trim(s)`: without leading and trailing spaces.
    Trim,
    /// `length(s)`: the number of characters.
    Length,
    /// `substring(s, start, len)`: `len` characters from position `start` (from 1).
    Substring,
    /// `split_part(s, sep, n)`: the `n`-th field (from 1) of `s` split at `sep`.
    SplitPart,
    /// `replace(s, from, to)`: every `from` in `s` replaced by `to`.
    Replace,
    /// `abs(x)`: the absolute value.
    Abs,
    /// `md5(s)`: the MD5 digest of the UTF-8 text, as 32 lower-case hex digits (not on SQLite).
    Md5,
    /// `regexp_like(s, pattern)`: whether the regular expression matches (not on SQLite).
    RegexpLike,
}

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
}

impl Arity {
    /// Whether `count` arguments fit.
    pub fn accepts(self, count: usize) -> bool {
        match self {
            Arity::Exactly(n) => count == n,
            Arity::AtLeast(n) => count >= n,
        }
    }
}

impl fmt::Display for Arity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, n) = match *self {
            Arity::Exactly(n) => ("", n),
            Arity::AtLeast(n) => ("at least ", n),
        };
        let noun = if n == 1 { "argument" } else { "arguments" };
        write!(f, "{prefix}{n} {noun}")
    }
}

impl Function {
    /// Every function, in the order error messages list them.
    pub const ALL: [Function; 19] = [
        Function::Year,
        Function::Month,
        Function::Day,
        Function::Now,
        Function::Concat,
        Function::Coalesce,
        Function::Nullif,
        Function::IsNull,
        Function::IsNotNull,
        Function::Lower,
        Function::Upper,
        Function::Trim,
        Function::Length,
        Function::Substring,
        Function::SplitPart,
        Function::Replace,
        Function::Abs,
        Function::Md5,
        Function::RegexpLike,
    ];

    /// The name the expression calls it by.
    pub fn name(self) -> &'static str {
        self.spec().0
    }

    /// How it is called, with its argument and result types, for messages:
    /// `"split_part(text, separator, n) -> text, where ..."`.
    pub fn signature(self) -> &'static str {
        self.spec().2
    }

    /// How many arguments it takes.
    pub fn arity(self) -> Arity {
        self.spec().1
    }

    /// The function called `name`, if the language has one.
    ///
    /// ```
    /// use migrate_sql::expr::Function;
    /// assert_eq!(Function::from_name("split_part"), Some(Function::SplitPart));
    /// assert_eq!(Function::from_name("SPLIT_PART"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The names of all functions, comma-separated, for "unknown function" messages.
    pub fn known_names() -> String {
        Function::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn spec(self) -> (&'static str, Arity, &'static str) {
        use Arity::{AtLeast, Exactly};
        match self {
            Function::Year => ("year", Exactly(1), "year(timestamp) -> integer"),
            Function::Month => ("month", Exactly(1), "month(timestamp) -> integer"),
            Function::Day => ("day", Exactly(1), "day(timestamp) -> integer"),
            Function::Now => ("now", Exactly(0), "now() -> timestamp"),
            Function::Concat => ("concat", AtLeast(2), "concat(a, b, ...) -> text"),
            Function::Coalesce => ("coalesce", AtLeast(2), "coalesce(a, b, ...)"),
            Function::Nullif => ("nullif", Exactly(2), "nullif(a, b)"),
            Function::IsNull => ("is_null", Exactly(1), "is_null(x) -> bool"),
            Function::IsNotNull => ("is_not_null", Exactly(1), "is_not_null(x) -> bool"),
            Function::Lower => ("lower", Exactly(1), "lower(text) -> text"),
            Function::Upper => ("upper", Exactly(1), "upper(text) -> text"),
            Function::Trim => ("trim", Exactly(1), "trim(text) -> text"),
            Function::Length => ("length", Exactly(1), "length(text) -> integer"),
            Function::Substring => (
                "substring",
                Exactly(3),
                "substring(text, start, len) -> text, where start is an integer literal of at least 1",
            ),
            Function::SplitPart => (
                "split_part",
                Exactly(3),
                "split_part(text, separator, n) -> text, where separator is a non-empty string literal and n an integer literal of at least 1",
            ),
            Function::Replace => ("replace", Exactly(3), "replace(text, from, to) -> text"),
            Function::Abs => ("abs", Exactly(1), "abs(number) -> number"),
            Function::Md5 => ("md5", Exactly(1), "md5(text) -> text"),
            Function::RegexpLike => (
                "regexp_like",
                Exactly(2),
                "regexp_like(text, pattern) -> bool",
            ),
        }
    }

    fn construct(self) -> String {
        format!("`{}`", self.name())
    }
}

/// What an argument must be.
#[derive(Clone, Copy)]
enum Expect {
    Text,
    Number,
    Time,
}

/// Renders `function(args)` for `dialect`.
pub(crate) fn render(
    function: Function,
    args: &[Expr],
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    let arity = function.arity();
    if !arity.accepts(args.len()) {
        return Err(Untranslatable::rule(
            function.construct(),
            dialect,
            format!(
                "takes {arity}, not {}: {}",
                args.len(),
                function.signature()
            ),
        ));
    }
    let sql = args
        .iter()
        .map(|arg| render::render(arg, dialect))
        .collect::<Result<Vec<_>, _>>()?;
    match function {
        Function::Year => date_part(function, DatePart::Year, &sql, dialect),
        Function::Month => date_part(function, DatePart::Month, &sql, dialect),
        Function::Day => date_part(function, DatePart::Day, &sql, dialect),
        Function::Now => Ok(time::now(dialect)),
        Function::Concat => text::concat(&sql, dialect),
        Function::Coalesce => coalesce(function, sql, dialect),
        Function::Nullif => nullif(function, &sql, dialect),
        Function::IsNull | Function::IsNotNull => {
            let test = if function == Function::IsNull {
                "IS NULL"
            } else {
                "IS NOT NULL"
            };
            Ok(Sql::new(
                format!("({} {test})", sql[0].text),
                ValueType::Boolean,
            ))
        }
        Function::Lower | Function::Upper => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            Ok(text::ascii_case(function, &sql[0], dialect))
        }
        Function::Trim => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            Ok(text::trim(&sql[0]))
        }
        Function::Length => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            Ok(text::length(&sql[0], dialect))
        }
        Function::Md5 => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            text::md5(&sql[0], dialect)
        }
        Function::Substring => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            let start = int_literal(function, args, 1, "start", dialect)?;
            expect_integer(function, &sql, 2, dialect)?;
            Ok(text::substring(&sql[0], start, &args[2], &sql[2], dialect))
        }
        Function::SplitPart => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            let separator = str_literal(function, args, 1, dialect)?;
            let n = int_literal(function, args, 2, "n", dialect)?;
            Ok(text::split_part(&sql[0], &sql[1], separator, n, dialect))
        }
        Function::Replace => {
            for i in 0..3 {
                expect(function, &sql, i, Expect::Text, dialect)?;
            }
            Ok(text::replace(&sql))
        }
        Function::Abs => {
            expect(function, &sql, 0, Expect::Number, dialect)?;
            let ty = sql[0].ty;
            Ok(Sql::new(format!("ABS({})", sql[0].text), ty))
        }
        Function::RegexpLike => {
            expect(function, &sql, 0, Expect::Text, dialect)?;
            expect(function, &sql, 1, Expect::Text, dialect)?;
            text::regexp_like(&sql, &args[1], dialect)
        }
    }
}

fn date_part(
    function: Function,
    part: DatePart,
    sql: &[Sql],
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    expect(function, sql, 0, Expect::Time, dialect)?;
    Ok(time::part(part, &sql[0], dialect))
}

/// Checks that argument `index` may be of the kind `expected`.
fn expect(
    function: Function,
    sql: &[Sql],
    index: usize,
    expected: Expect,
    dialect: Dialect,
) -> Result<(), Untranslatable> {
    let ty = sql[index].ty;
    let (fits, what, hint) = match expected {
        Expect::Text => (ty.may_be_text(), "text", ": convert it with `as String`"),
        Expect::Number => (ty.may_be_number(), "a number", ""),
        Expect::Time => (
            ty == ValueType::Timestamp || ty.may_be_text(),
            "a timestamp or date",
            "",
        ),
    };
    if fits {
        return Ok(());
    }
    Err(Untranslatable::rule(
        function.construct(),
        dialect,
        format!(
            "takes {what} as argument {}, not {}{hint}",
            index + 1,
            ty.describe()
        ),
    )
    .at_argument(index))
}

fn expect_integer(
    function: Function,
    sql: &[Sql],
    index: usize,
    dialect: Dialect,
) -> Result<(), Untranslatable> {
    match sql[index].ty {
        ValueType::Integer | ValueType::Null | ValueType::Unknown => Ok(()),
        other => Err(Untranslatable::rule(
            function.construct(),
            dialect,
            format!(
                "takes an integer as argument {}, not {}",
                index + 1,
                other.describe()
            ),
        )
        .at_argument(index)),
    }
}

/// Argument `index`, which must be an integer literal of at least 1: its meaning below 1 differs
/// between the databases, and the renderings of `split_part` depend on its value.
fn int_literal(
    function: Function,
    args: &[Expr],
    index: usize,
    role: &str,
    dialect: Dialect,
) -> Result<i64, Untranslatable> {
    match &args[index] {
        Expr::Literal(Literal::Int(n)) if *n >= 1 => Ok(*n),
        _ => Err(Untranslatable::rule(
            function.construct(),
            dialect,
            format!(
                "needs an integer literal of at least 1 as {role} (argument {}): {}",
                index + 1,
                function.signature()
            ),
        )
        .at_argument(index)),
    }
}

/// Argument `index`, which must be a non-empty string literal.
fn str_literal(
    function: Function,
    args: &[Expr],
    index: usize,
    dialect: Dialect,
) -> Result<&str, Untranslatable> {
    match &args[index] {
        Expr::Literal(Literal::Str(s)) if !s.is_empty() => Ok(s),
        _ => Err(Untranslatable::rule(
            function.construct(),
            dialect,
            format!(
                "needs a non-empty string literal as argument {}: {}",
                index + 1,
                function.signature()
            ),
        )
        .at_argument(index)),
    }
}

fn coalesce(function: Function, sql: Vec<Sql>, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let mut ty = ValueType::Null;
    for (index, arg) in sql.iter().enumerate() {
        ty = ty.unify(arg.ty).ok_or_else(|| {
            Untranslatable::rule(
                function.construct(),
                dialect,
                format!(
                    "mixes {} with {} (argument {}): every argument must have the same type (PostgreSQL requires it)",
                    ty.describe(),
                    arg.ty.describe(),
                    index + 1
                ),
            )
            .at_argument(index)
        })?;
    }
    let args: Vec<String> = sql.into_iter().map(|s| s.text).collect();
    Ok(Sql::new(format!("COALESCE({})", args.join(", ")), ty))
}

/// `NULLIF(a, b)`, comparing as `==` does (by bytes for text, which MySQL's NULLIF cannot be
/// told to do, so MySQL spells it out as a CASE).
fn nullif(function: Function, sql: &[Sql], dialect: Dialect) -> Result<Sql, Untranslatable> {
    let (a, b) = (&sql[0], &sql[1]);
    if !ValueType::comparable(a.ty, b.ty) {
        return Err(Untranslatable::rule(
            function.construct(),
            dialect,
            format!(
                "compares {} with {}: convert one side with `as`",
                a.ty.describe(),
                b.ty.describe()
            ),
        ));
    }
    let text = if dialect == Dialect::Mysql && render::compares_text(a, b) {
        format!(
            "CASE WHEN {} THEN NULL ELSE {} END",
            render::compare("=", a, b, dialect),
            a.text
        )
    } else {
        format!("NULLIF({}, {})", a.text, render::collated(a, b, dialect))
    };
    Ok(Sql::new(text, a.ty))
}
