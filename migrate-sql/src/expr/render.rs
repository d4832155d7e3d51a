//! Writing an expression as one dialect's SQL: columns, literals, operators, `if` and `sql!`.
//! Casts are in [`super::casts`], functions in [`super::functions`].
//!
//! Every compound result is parenthesized, so the databases' differing operator precedences
//! never matter and a rendered operand can be pasted anywhere.

use super::error::Untranslatable;
use super::types::ValueType;
use super::{BinaryOp, Expr, Literal, RawSql, UnaryOp, casts, functions};
use crate::{Dialect, quote_ident, quote_str, validate_ident};

/// SQL text of one dialect, with the type of its value.
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) ty: ValueType,
}

impl Sql {
    pub(crate) fn new(text: String, ty: ValueType) -> Sql {
        Sql { text, ty }
    }
}

/// Renders `expr` and its parts for `dialect`, checking the language's rules on the way.
pub(crate) fn render(expr: &Expr, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match expr {
        Expr::Column { table, name } => column(table.as_deref(), name, dialect),
        Expr::Literal(literal) => self::literal(literal, dialect),
        Expr::Unary { op, operand } => unary(*op, render(operand, dialect)?, dialect),
        Expr::Binary { op, left, right } => binary(
            *op,
            render(left, dialect)?,
            render(right, dialect)?,
            dialect,
        ),
        Expr::Call { function, args } => functions::render(*function, args, dialect),
        Expr::Case {
            branches,
            otherwise,
        } => case(branches, otherwise.as_deref(), dialect),
        Expr::Cast { operand, to } => casts::cast(render(operand, dialect)?, *to, dialect),
        Expr::Raw(raw) => raw_sql(raw, dialect),
    }
}

fn column(table: Option<&str>, name: &str, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let mut text = String::new();
    if let Some(table) = table {
        text.push_str(&identifier(table, dialect)?);
        text.push('.');
    }
    text.push_str(&identifier(name, dialect)?);
    Ok(Sql::new(text, ValueType::Unknown))
}

fn identifier(name: &str, dialect: Dialect) -> Result<String, Untranslatable> {
    validate_ident(name).map_err(|e| {
        Untranslatable::rule(
            format!("`{name}`"),
            dialect,
            format!("is not a usable name: {e}"),
        )
    })?;
    Ok(quote_ident(dialect, name))
}

fn literal(literal: &Literal, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let (text, ty) = match literal {
        // Written as a difference because `-9223372036854775808` is the negation of a number
        // that does not fit in 64 bits, which some parsers widen to a decimal.
        Literal::Int(i64::MIN) => ("(-9223372036854775807 - 1)".to_owned(), ValueType::Integer),
        Literal::Int(value) => (value.to_string(), ValueType::Integer),
        Literal::Float(value) => (float(*value, dialect)?, ValueType::Float),
        Literal::Str(value) => {
            let text = quote_str(dialect, value).map_err(|e| {
                Untranslatable::rule("this string", dialect, format!("cannot be written: {e}"))
            })?;
            (text, ValueType::Text)
        }
        Literal::Bool(true) => ("TRUE".to_owned(), ValueType::Boolean),
        Literal::Bool(false) => ("FALSE".to_owned(), ValueType::Boolean),
        Literal::Null => ("NULL".to_owned(), ValueType::Null),
    };
    Ok(Sql::new(text, ty))
}

/// A float literal typed as a double: a plain `1.5` is an exact decimal on PostgreSQL and MySQL,
/// whose division and rounding differ from a double's.
fn float(value: f64, dialect: Dialect) -> Result<String, Untranslatable> {
    if !value.is_finite() {
        return Err(Untranslatable::rule(
            format!("`{value}`"),
            dialect,
            "cannot be written: SQL has no portable infinite or NaN literal".to_owned(),
        ));
    }
    // `{:?}` is the shortest text that reads back as the same double, always with `.` or `e`.
    let digits = format!("{value:?}");
    let text = match dialect {
        Dialect::Postgres => return Ok(format!("CAST({digits} AS DOUBLE PRECISION)")),
        // MySQL reads a number with an exponent as a double.
        Dialect::Mysql if digits.contains('e') => digits,
        Dialect::Mysql => format!("{digits}e0"),
        Dialect::Sqlite => digits,
    };
    Ok(if value < 0.0 {
        format!("({text})")
    } else {
        text
    })
}

fn unary(op: UnaryOp, operand: Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match op {
        UnaryOp::Neg => {
            // PostgreSQL cannot type `-NULL`; it is NULL anyway.
            if !operand.ty.may_be_number() || operand.ty == ValueType::Null {
                return Err(Untranslatable::rule(
                    "`-`",
                    dialect,
                    format!("negates numbers, not {}", operand.ty.describe()),
                ));
            }
            // A space keeps `-` and a negative literal from forming the comment marker `--`.
            let space = if operand.text.starts_with('-') {
                " "
            } else {
                ""
            };
            Ok(Sql::new(format!("(-{space}{})", operand.text), operand.ty))
        }
        UnaryOp::Not => {
            if !operand.ty.may_be_boolean() {
                return Err(Untranslatable::rule(
                    "`!`",
                    dialect,
                    format!(
                        "negates a boolean (a condition), not {}: compare instead, as in `x == 0`",
                        operand.ty.describe()
                    ),
                ));
            }
            Ok(Sql::new(
                format!("(NOT {})", operand.text),
                ValueType::Boolean,
            ))
        }
    }
}

fn binary(op: BinaryOp, left: Sql, right: Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => arithmetic(op, left, right, dialect),
        BinaryOp::Div => division(left, right, dialect),
        BinaryOp::Rem => remainder(left, right, dialect),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            comparison(op, left, right, dialect)
        }
        BinaryOp::And | BinaryOp::Or => logic(op, left, right, dialect),
    }
}

/// Checks that both operands of `op` may be numbers, and are not both `None` (PostgreSQL cannot
/// type `NULL + NULL`; it is NULL anyway).
fn numbers(op: BinaryOp, left: &Sql, right: &Sql, dialect: Dialect) -> Result<(), Untranslatable> {
    if left.ty == ValueType::Null && right.ty == ValueType::Null {
        return Err(Untranslatable::rule(
            format!("`{}`", op.symbol()),
            dialect,
            "between two `None`s is always NULL: write `None`".to_owned(),
        ));
    }
    for (side, operand) in [("left", left), ("right", right)] {
        if operand.ty.may_be_number() {
            continue;
        }
        let hint = if op == BinaryOp::Add && operand.ty == ValueType::Text {
            ": join text with `concat(a, b)`"
        } else {
            ""
        };
        return Err(Untranslatable::rule(
            format!("`{}`", op.symbol()),
            dialect,
            format!(
                "takes numbers, but its {side} operand is {}{hint}",
                operand.ty.describe()
            ),
        ));
    }
    Ok(())
}

fn arithmetic(
    op: BinaryOp,
    left: Sql,
    right: Sql,
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    numbers(op, &left, &right, dialect)?;
    let symbol = op.symbol();
    Ok(Sql::new(
        format!("({} {symbol} {})", left.text, right.text),
        ValueType::arithmetic(left.ty, right.ty),
    ))
}

fn division(left: Sql, right: Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    numbers(BinaryOp::Div, &left, &right, dialect)?;
    let float = left.ty == ValueType::Float || right.ty == ValueType::Float;
    let integers = [left.ty, right.ty]
        .iter()
        .all(|t| matches!(t, ValueType::Integer | ValueType::Null));
    if !float && !integers {
        return Err(Untranslatable::rule(
            "`/`",
            dialect,
            "cannot tell integer division (which truncates) from exact division, because the type \
             of a column is not visible to the expression: write `x as i64 / y` to truncate or \
             `x as f64 / y` for a float"
                .to_owned(),
        ));
    }
    // NULLIF turns division by zero into NULL, as MySQL and SQLite do, instead of PostgreSQL's
    // error. MySQL's `/` always gives a decimal, so integer division is its `DIV`.
    let operator = if integers && dialect == Dialect::Mysql {
        "DIV"
    } else {
        "/"
    };
    let ty = if float {
        ValueType::Float
    } else {
        ValueType::Integer
    };
    Ok(Sql::new(
        format!("({} {operator} NULLIF({}, 0))", left.text, right.text),
        ty,
    ))
}

fn remainder(left: Sql, right: Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    numbers(BinaryOp::Rem, &left, &right, dialect)?;
    for operand in [&left, &right] {
        let reason = match operand.ty {
            ValueType::Integer | ValueType::Null => continue,
            ValueType::Float => {
                "takes integers: SQLite truncates a float operand where PostgreSQL and MySQL do not; convert it with `as i64`"
            }
            _ => {
                "takes integers, and the type of a column is not visible to the expression: write `x as i64 % n`"
            }
        };
        return Err(Untranslatable::rule("`%`", dialect, reason.to_owned()));
    }
    // NULLIF: remainder by zero is NULL everywhere, as for `/`.
    Ok(Sql::new(
        format!("({} % NULLIF({}, 0))", left.text, right.text),
        ValueType::Integer,
    ))
}

fn comparison(
    op: BinaryOp,
    left: Sql,
    right: Sql,
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    let symbol = op.symbol();
    if left.ty == ValueType::Null || right.ty == ValueType::Null {
        return Err(Untranslatable::rule(
            format!("`{symbol}` with `None`"),
            dialect,
            "is NULL, never true, because SQL compares nothing with NULL: test with `is_null(x)` or `is_not_null(x)`"
                .to_owned(),
        ));
    }
    if !ValueType::comparable(left.ty, right.ty) {
        return Err(Untranslatable::rule(
            format!("`{symbol}`"),
            dialect,
            format!(
                "compares {} with {}: convert one side with `as`",
                left.ty.describe(),
                right.ty.describe()
            ),
        ));
    }
    let operator = match op {
        BinaryOp::Eq => "=",
        BinaryOp::Ne => "<>",
        other => other.symbol(),
    };
    Ok(Sql::new(
        compare(operator, &left, &right, dialect),
        ValueType::Boolean,
    ))
}

/// Whether comparing `left` and `right` compares text: one is known text and the other is not a
/// timestamp (which PostgreSQL and MySQL compare as a time, not as its text).
pub(crate) fn compares_text(left: &Sql, right: &Sql) -> bool {
    let text = left.ty == ValueType::Text || right.ty == ValueType::Text;
    let timestamp = left.ty == ValueType::Timestamp || right.ty == ValueType::Timestamp;
    text && !timestamp
}

/// `left operator right`, by bytes when it compares text (see the module documentation).
pub(crate) fn compare(operator: &str, left: &Sql, right: &Sql, dialect: Dialect) -> String {
    let (l, r) = (&left.text, &right.text);
    if dialect == Dialect::Mysql && compares_text(left, right) {
        return format!("(CAST({l} AS BINARY) {operator} CAST({r} AS BINARY))");
    }
    format!("({l} {operator} {})", collated(left, right, dialect))
}

/// `right`, with the collation that makes PostgreSQL and SQLite compare it with `left` by bytes.
/// An explicit collation wins over the column's own on both.
pub(crate) fn collated(left: &Sql, right: &Sql, dialect: Dialect) -> String {
    let r = &right.text;
    match dialect {
        // Only when both are text: a column compared with text may be a timestamp, which
        // PostgreSQL refuses to collate.
        Dialect::Postgres if left.ty == ValueType::Text && right.ty == ValueType::Text => {
            format!("{r} COLLATE \"C\"")
        }
        Dialect::Sqlite if compares_text(left, right) => format!("{r} COLLATE BINARY"),
        _ => r.clone(),
    }
}

fn logic(op: BinaryOp, left: Sql, right: Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    for (side, operand) in [("left", &left), ("right", &right)] {
        if !operand.ty.may_be_boolean() {
            return Err(Untranslatable::rule(
                format!("`{}`", op.symbol()),
                dialect,
                format!(
                    "joins booleans (conditions), but its {side} operand is {}",
                    operand.ty.describe()
                ),
            ));
        }
    }
    let keyword = if op == BinaryOp::And { "AND" } else { "OR" };
    Ok(Sql::new(
        format!("({} {keyword} {})", left.text, right.text),
        ValueType::Boolean,
    ))
}

fn case(
    branches: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    let otherwise = match otherwise {
        Some(value) => render(value, dialect)?,
        None => Sql::new("NULL".to_owned(), ValueType::Null),
    };
    if branches.is_empty() {
        return Ok(otherwise);
    }
    let mut text = "CASE".to_owned();
    let mut ty = ValueType::Null;
    for (condition, value) in branches {
        let condition = render(condition, dialect)?;
        if !condition.ty.may_be_boolean() {
            return Err(Untranslatable::rule(
                "`if`",
                dialect,
                format!(
                    "needs a boolean condition, not {}: compare instead, as in `x != 0`",
                    condition.ty.describe()
                ),
            ));
        }
        let value = render(value, dialect)?;
        ty = unify_branch(ty, value.ty, dialect)?;
        text.push_str(&format!(" WHEN {} THEN {}", condition.text, value.text));
    }
    ty = unify_branch(ty, otherwise.ty, dialect)?;
    text.push_str(&format!(" ELSE {} END", otherwise.text));
    Ok(Sql::new(text, ty))
}

fn unify_branch(a: ValueType, b: ValueType, dialect: Dialect) -> Result<ValueType, Untranslatable> {
    a.unify(b).ok_or_else(|| {
        Untranslatable::rule(
            "`if`",
            dialect,
            format!(
                "gives {} in one branch and {} in another: every branch must give the same type (PostgreSQL requires it)",
                a.describe(),
                b.describe()
            ),
        )
    })
}

fn raw_sql(raw: &RawSql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match raw.get(dialect) {
        Some(sql) if !sql.trim().is_empty() => Ok(Sql::new(format!("({sql})"), ValueType::Unknown)),
        Some(_) => Err(Untranslatable::missing(
            "this `sql!` fragment",
            dialect,
            &format!("its `{}` version is empty", dialect.name()),
        )),
        None => Err(Untranslatable::missing(
            "this `sql!` fragment",
            dialect,
            &format!("add a `{}: \"...\"` version", dialect.name()),
        )),
    }
}
