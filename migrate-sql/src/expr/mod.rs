//! The portable expression language of the data-migration helpers.
//!
//! A helper such as `add_column!(m, users.age_group VARCHAR(20) NOT NULL = if age < 18 { "minor" }
//! else { "adult" })` takes an expression in Rust syntax. The macro parses it into an [`Expr`] and
//! calls [`Expr::render`] once per enabled dialect at compile time, so a construct that one of
//! the databases cannot express is a compile error, not a failed deployment.
//!
//! ```
//! use migrate_sql::Dialect;
//! use migrate_sql::expr::{BinaryOp, Expr, Function};
//!
//! // if age < 18 { "minor" } else { "adult" }
//! let age_group = Expr::if_else(
//!     vec![(
//!         Expr::binary(BinaryOp::Lt, Expr::column("age"), Expr::int(18)),
//!         Expr::string("minor"),
//!     )],
//!     Some(Expr::string("adult")),
//! );
//! assert_eq!(
//!     age_group.render(Dialect::Postgres).unwrap(),
//!     r#"CASE WHEN ("age" < 18) THEN 'minor' ELSE 'adult' END"#
//! );
//!
//! // md5 has no SQLite built-in: rendering for SQLite fails and says so.
//! let hash = Expr::call(Function::Md5, vec![Expr::column("email")]);
//! let error = hash.render(Dialect::Sqlite).unwrap_err();
//! assert!(error.to_string().starts_with("`md5` has no SQLite equivalent"));
//! ```
//!
//! # One meaning on every database
//!
//! The promise is that an expression computes the same value on PostgreSQL, MySQL/MariaDB and
//! SQLite. Where the databases disagree, the rendering picks one meaning and makes all three agree
//! (the snapshot tests show the SQL, the integration tests run it); where that is too costly, the
//! construct is refused at compile time. The choices:
//!
//! - **Types.** The language is typed as far as the expression shows: literals, casts and functions
//!   have known types; a column's type is not visible to it. Where the meaning depends on a type
//!   the expression cannot see, it asks for a cast (see `/` and `%`). Operators are checked like
//!   Rust's: `+` does not join text (use `concat`), `!` and `&&` take booleans, a condition must be
//!   a boolean.
//! - **NULL** propagates as in SQL: an operator or function with a NULL argument gives NULL, except
//!   `coalesce`, `is_null` and `is_not_null`, and `&&`/`||` follow SQL's three-valued logic.
//!   Comparing with `None` is refused (it is NULL, never true): use `is_null(x)`. So are `-None`
//!   and arithmetic between two `None`s, which PostgreSQL cannot type.
//! - **Integers** are 64-bit on MySQL and SQLite. PostgreSQL computes in the operands' type, so
//!   arithmetic between `INTEGER` columns or small literals raises an error past ±2³¹ there; cast
//!   one operand `as i64` to compute in 64 bits everywhere. Overflow past 64 bits is an error on
//!   PostgreSQL and MySQL and turns into a float on SQLite.
//! - **Floats** are IEEE doubles: a float literal is rendered as a `DOUBLE PRECISION` on
//!   PostgreSQL and in exponent form on MySQL (where `1.5` alone would be an exact decimal).
//! - **`/`** between integers truncates toward zero (`-7 / 2` is `-3`, as in Rust): MySQL renders it
//!   with `DIV`. With a float operand it divides exactly. When neither operand is known to be a
//!   float and one is not known to be an integer (a column), the expression must say which
//!   division it means: `total as i64 / n` or `total as f64 / n`.
//! - **`%`** takes integers and gives the sign of the dividend (`-7 % 2` is `-1`, as in Rust);
//!   SQLite would truncate float operands, so they are refused and columns need `as i64`.
//! - **Division or remainder by zero** gives NULL everywhere (the divisor is wrapped in
//!   `NULLIF(.., 0)`): SQLite and MySQL already do so, PostgreSQL would raise an error.
//! - **Booleans** are `TRUE`/`FALSE`; PostgreSQL stores them as `boolean`, MySQL and SQLite as 1
//!   and 0, which is what a `BOOLEAN` column holds on each. `x as String` of a boolean is `'true'`
//!   or `'false'` everywhere.
//! - **Text comparison** is by bytes (code points): case-sensitive, trailing spaces significant,
//!   whenever one side is known to be text (a string literal, a text function, `as String`).
//!   MySQL's default collations ignore case and trailing spaces, so MySQL compares
//!   `CAST(.. AS BINARY)` values; SQLite adds `COLLATE BINARY` (over a column's `NOCASE`). When both
//!   sides are known text, PostgreSQL adds `COLLATE "C"`; a column compared with text keeps the
//!   column's collation there, which orders by bytes in `C`/`C.UTF-8` databases only (equality is
//!   by bytes with every deterministic collation): write `name as String < "M"` to force it.
//!   Compare timestamps with text in the full `'YYYY-MM-DD HH:MM:SS'` form: SQLite stores them
//!   as text and compares the text.
//! - **Casts** follow Rust: `as i64` (and `as i32`, which is the same 64-bit cast because MySQL's
//!   `CAST` has no 32-bit integer) truncates floats toward zero and parses text holding a number
//!   (`" 4.7"` gives 4 everywhere); `as f64` gives a double; `as String` gives the text form of
//!   integers, text and timestamps (a float is refused: SQLite writes `1.0` where the others
//!   write `1`); `as bool` is `x <> 0` for integers; `bool as i64` is 1 or 0. Text that is not a
//!   number is an error on PostgreSQL and on MySQL in a statement that writes (the runtime turns
//!   on strict mode), but 0 on SQLite.
//! - **`concat(a, ...)`** gives NULL if any argument is NULL, like SQL's `||` (PostgreSQL's
//!   `concat()` and SQLite's ignore NULLs, so PostgreSQL and SQLite render `||` and MySQL
//!   `CONCAT`). Arguments are converted like `as String`.
//! - **`lower`, `upper`** change ASCII letters only (`"ZOË"` lowers to `"zoË"`), like Rust's
//!   `to_ascii_lowercase`: SQLite without ICU cannot do more, and PostgreSQL's full mapping
//!   depends on the database's locale. PostgreSQL renders them under `COLLATE "C"`, MySQL as
//!   replacements of the 26 letters.
//! - **`trim(s)`** removes leading and trailing spaces (U+0020) only, not tabs or newlines.
//! - **NUL bytes** in text (SQLite and MySQL store them, PostgreSQL cannot) are characters like
//!   any other for every text function and comparison. SQLite's own `LENGTH` and `SUBSTR` stop
//!   at the first, so on a text holding one its `length` and `substring` count and cut a
//!   NUL-free twin (`JSON_QUOTE`/`JSON_EXTRACT`, built into SQLite since 3.38), `split_part`
//!   cuts the text's bytes, and `year`, `month`, `day` give NULL (it is not a date). Text that
//!   is not UTF-8 (SQLite keeps it) counts characters as SQLite's `LENGTH` does.
//! - **`length(s)`** counts characters, not bytes (`length("日本")` is 2).
//! - **`substring(s, start, len)`** is 1-based; `start` must be an integer literal of at least 1
//!   (positions below 1 mean something else on each database) and a negative `len` gives the
//!   empty string.
//! - **`split_part(s, sep, n)`** gives the `n`-th field (from 1) of `s` split at the non-empty
//!   string literal `sep`, searching from the left, and `""` when `s` has fewer than `n` fields,
//!   as PostgreSQL's `split_part`. MySQL and SQLite assemble it from `SUBSTRING_INDEX` and
//!   `instr` (on SQLite over the text's bytes); on SQLite the rendering doubles in size with each
//!   field skipped, so keep `n` small.
//! - **`replace(s, from, to)`** is case-sensitive everywhere; an empty `from` leaves `s` unchanged.
//! - **`year`, `month`, `day`** take a timestamp or date (or text in ISO-8601 form, which is how
//!   SQLite stores them) and give an integer. A PostgreSQL `timestamptz` is read in the session's
//!   time zone. Text that is not a date is an error on PostgreSQL and on MySQL in a statement
//!   that writes, but NULL on SQLite.
//! - **`now()`** is the time the statement started, in UTC, without time zone, to the second
//!   (MySQL `UTC_TIMESTAMP()`, SQLite `datetime('now')`, PostgreSQL the statement timestamp at
//!   UTC truncated to seconds); it is the same value for every row of one statement.
//! - **`regexp_like(s, pattern)`** is a case-sensitive regular-expression search. Keep patterns to
//!   the common subset of POSIX extended syntax (`. [] * + ? {m,n} ^ $ | ()`): PostgreSQL,
//!   MySQL (ICU) and MariaDB (PCRE) differ beyond it. SQLite has no built-in, so it is
//!   untranslatable there, as is `md5`.
//! - **`sql! { postgres: "...", mysql: "...", sqlite: "..." }`** inserts a per-dialect fragment as
//!   is, in parentheses: its meaning is the author's promise. A missing dialect is untranslatable
//!   for that dialect.

mod casts;
mod error;
mod functions;
mod render;
mod types;

#[cfg(test)]
mod tests;

pub use error::Untranslatable;
pub use functions::{Arity, Function};

use crate::Dialect;

/// An expression of the portable language: what a helper macro's `= ...` part is parsed into.
///
/// Build it with the constructors ([`Expr::column`], [`Expr::binary`], ...) or the variants, and
/// turn it into SQL with [`Expr::render`]. The module documentation lists what each construct
/// means.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column, optionally qualified by its table: `age`, `users.age`.
    Column {
        /// The table, for `table.column`.
        table: Option<String>,
        /// The column.
        name: String,
    },
    /// A constant.
    Literal(Literal),
    /// `-x` or `!x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Expr>,
    },
    /// `a + b`, `a < b`, `a && b`, ...
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// A function of the language: `year(created_at)`.
    Call {
        /// The function.
        function: Function,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `if c { a } else if d { b } else { e }`: the value of the first branch whose condition is
    /// true, else `otherwise` (NULL when absent).
    Case {
        /// The conditions and their values, in order.
        branches: Vec<(Expr, Expr)>,
        /// The `else` value.
        otherwise: Option<Box<Expr>>,
    },
    /// `x as i64`.
    Cast {
        /// The value converted.
        operand: Box<Expr>,
        /// The type it is converted to.
        to: CastTarget,
    },
    /// `sql! { postgres: "...", ... }`: SQL written per dialect.
    Raw(RawSql),
}

/// A constant of the language.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer: `18`.
    Int(i64),
    /// A float: `0.5`. It must be finite.
    Float(f64),
    /// Text: `"minor"`. It cannot contain NUL.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `None`: SQL's NULL.
    Null,
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`, on numbers.
    Neg,
    /// `!x`, on booleans.
    Not,
}

/// An infix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: truncating between integers, exact with a float.
    Div,
    /// `%`: between integers, with the sign of the dividend.
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinaryOp {
    /// The operator as written in Rust, for messages: `"/"`, `"=="`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

/// The type of an `as` cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastTarget {
    /// `as i64`: a 64-bit integer.
    I64,
    /// `as i32`: the same 64-bit cast as `as i64` (MySQL's `CAST` has no 32-bit integer); the
    /// range is checked when the value is stored into a 32-bit column.
    I32,
    /// `as f64`: a double.
    F64,
    /// `as String`: text.
    String,
    /// `as bool`: a boolean.
    Bool,
}

impl CastTarget {
    /// Every target, in the order messages list them.
    pub const ALL: [CastTarget; 5] = [
        CastTarget::I64,
        CastTarget::I32,
        CastTarget::F64,
        CastTarget::String,
        CastTarget::Bool,
    ];

    /// The Rust type name: `"i64"`, `"String"`.
    pub fn rust_name(self) -> &'static str {
        match self {
            CastTarget::I64 => "i64",
            CastTarget::I32 => "i32",
            CastTarget::F64 => "f64",
            CastTarget::String => "String",
            CastTarget::Bool => "bool",
        }
    }

    /// The target named `name` in Rust, if it is one.
    ///
    /// ```
    /// use migrate_sql::expr::CastTarget;
    /// assert_eq!(CastTarget::from_rust_name("f64"), Some(CastTarget::F64));
    /// assert_eq!(CastTarget::from_rust_name("u8"), None);
    /// ```
    pub fn from_rust_name(name: &str) -> Option<CastTarget> {
        CastTarget::ALL.into_iter().find(|t| t.rust_name() == name)
    }
}

/// SQL written by hand for each dialect, inserted as is (in parentheses): the escape hatch for
/// what the language lacks. A dialect without a fragment cannot render it.
///
/// Each fragment must be one SQL expression without comments (a `--` comment would hide the rest
/// of the statement); the `sql!` form inside helper macros checks both with the dialect's parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSql {
    /// The PostgreSQL fragment.
    pub postgres: Option<String>,
    /// The MySQL/MariaDB fragment.
    pub mysql: Option<String>,
    /// The SQLite fragment.
    pub sqlite: Option<String>,
}

impl RawSql {
    /// The fragment of `dialect`, if given.
    pub fn get(&self, dialect: Dialect) -> Option<&str> {
        match dialect {
            Dialect::Postgres => self.postgres.as_deref(),
            Dialect::Mysql => self.mysql.as_deref(),
            Dialect::Sqlite => self.sqlite.as_deref(),
        }
    }

    /// Sets the fragment of `dialect`.
    pub fn set(&mut self, dialect: Dialect, sql: impl Into<String>) {
        let slot = match dialect {
            Dialect::Postgres => &mut self.postgres,
            Dialect::Mysql => &mut self.mysql,
            Dialect::Sqlite => &mut self.sqlite,
        };
        *slot = Some(sql.into());
    }
}

impl Expr {
    /// The column `name` of the table being changed.
    pub fn column(name: impl Into<String>) -> Expr {
        Expr::Column {
            table: None,
            name: name.into(),
        }
    }

    /// The column `name` of `table`.
    pub fn qualified_column(table: impl Into<String>, name: impl Into<String>) -> Expr {
        Expr::Column {
            table: Some(table.into()),
            name: name.into(),
        }
    }

    /// An integer constant.
    pub fn int(value: i64) -> Expr {
        Expr::Literal(Literal::Int(value))
    }

    /// A float constant.
    pub fn float(value: f64) -> Expr {
        Expr::Literal(Literal::Float(value))
    }

    /// A text constant.
    pub fn string(value: impl Into<String>) -> Expr {
        Expr::Literal(Literal::Str(value.into()))
    }

    /// A boolean constant.
    pub fn bool(value: bool) -> Expr {
        Expr::Literal(Literal::Bool(value))
    }

    /// NULL.
    pub fn null() -> Expr {
        Expr::Literal(Literal::Null)
    }

    /// `op operand`.
    pub fn unary(op: UnaryOp, operand: Expr) -> Expr {
        Expr::Unary {
            op,
            operand: Box::new(operand),
        }
    }

    /// `left op right`.
    pub fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        }
    }

    /// `function(args...)`. The arity is checked when rendering.
    pub fn call(function: Function, args: Vec<Expr>) -> Expr {
        Expr::Call { function, args }
    }

    /// `if c1 { v1 } else if c2 { v2 } ... else { otherwise }`.
    pub fn if_else(branches: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
        Expr::Case {
            branches,
            otherwise: otherwise.map(Box::new),
        }
    }

    /// `operand as to`.
    pub fn cast(operand: Expr, to: CastTarget) -> Expr {
        Expr::Cast {
            operand: Box::new(operand),
            to,
        }
    }

    /// The expression as `dialect` writes it, or why it cannot be written there.
    ///
    /// Rendering also enforces the language's rules (types, literal arguments, identifiers), so
    /// an expression that renders for one dialect renders for every dialect that has all of its
    /// functions and fragments.
    ///
    /// ```
    /// use migrate_sql::Dialect;
    /// use migrate_sql::expr::{BinaryOp, Expr};
    ///
    /// let half = Expr::binary(BinaryOp::Div, Expr::int(-7), Expr::int(2));
    /// assert_eq!(half.render(Dialect::Mysql).unwrap(), "(-7 DIV NULLIF(2, 0))");
    /// ```
    pub fn render(&self, dialect: Dialect) -> Result<String, Untranslatable> {
        render::render(self, dialect).map(|sql| sql.text)
    }
}
