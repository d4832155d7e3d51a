//! Rust syntax to the portable expression language ([`migrate_sql::expr`]).
//!
//! Each node is converted, then rendered for every dialect at once, so an error points at the
//! smallest piece of the user's expression that causes it. Problems in different parts of one
//! expression are all reported, combined.

use crate::errors::Errors;
use migrate_sql::expr::{BinaryOp, CastTarget, Expr, Function, RawSql, UnaryOp};
use migrate_sql::{Dialect, validate_ident};
use quote::ToTokens;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr};

#[cfg(test)]
mod tests;

/// What the language accepts, for "not supported" messages.
const SUPPORTED: &str = "a portable expression is made of columns (`age`, `r#type`, `users.age`), literals (`18`, `0.5`, `\"text\"`, `true`, `None`), `+ - * / %`, `== != < <= > >=`, `&& || !`, `if`/`else`, `as` casts, function calls and `sql! { ... }`";

/// Converts `expr` to the portable language, checking that it renders for each of `dialects`
/// (the enabled ones) and follows the language's rules.
pub fn parse_expr(expr: &syn::Expr, dialects: &[Dialect]) -> syn::Result<Expr> {
    let mut converter = Converter {
        dialects,
        errors: Errors::default(),
    };
    let converted = converter.convert(expr);
    match (converted, converter.errors.is_empty()) {
        (Some(converted), true) => Ok(converted),
        (_, false) => Err(converter.errors.into_error()),
        // Every path that gives up records an error first; this keeps a slip from passing
        // silently.
        (None, true) => Err(syn::Error::new_spanned(
            expr,
            "this expression could not be converted",
        )),
    }
}

struct Converter<'a> {
    dialects: &'a [Dialect],
    errors: Errors,
}

impl Converter<'_> {
    fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Converts `expr` and checks the resulting node; `None` after recording the errors.
    fn convert(&mut self, expr: &syn::Expr) -> Option<Expr> {
        let converted = match expr {
            syn::Expr::Paren(paren) => return self.convert(&paren.expr),
            syn::Expr::Group(group) => return self.convert(&group.expr),
            syn::Expr::Block(block) if block.label.is_none() => {
                return self.block(&block.block);
            }
            syn::Expr::Lit(lit) => self.literal(&lit.lit),
            syn::Expr::Path(path) => self.path(path),
            syn::Expr::Field(field) => self.field(field),
            syn::Expr::Unary(unary) => self.unary(unary),
            syn::Expr::Binary(binary) => self.binary(binary),
            syn::Expr::Call(call) => self.call(call),
            syn::Expr::If(if_expr) => self.if_else(if_expr),
            syn::Expr::Cast(cast) => self.cast(cast),
            syn::Expr::Macro(mac) => self.raw(&mac.mac),
            other => {
                self.error(other, unsupported(other));
                None
            }
        }?;
        self.check(expr, converted)
    }

    /// Renders `converted` for every dialect and reports what fails for an enabled one (a rule
    /// of the language fails for all and is reported once). Its parts were checked already, so a
    /// failure is this node's own.
    fn check(&mut self, expr: &syn::Expr, converted: Expr) -> Option<Expr> {
        let mut failed = false;
        for dialect in Dialect::ALL {
            let Err(error) = converted.render(dialect) else {
                continue;
            };
            if !error.everywhere && !self.dialects.contains(&dialect) {
                continue;
            }
            let message = if error.everywhere {
                error.to_string()
            } else {
                format!(
                    "{error} (this build enables {}: a feature of migrate-core)",
                    dialect.display_name()
                )
            };
            self.error(culprit(expr, error.argument), message);
            failed = true;
            if error.everywhere {
                break;
            }
        }
        (!failed).then_some(converted)
    }

    /// `{ value }`: the value of a block holding a single expression.
    fn block(&mut self, block: &syn::Block) -> Option<Expr> {
        match block.stmts.as_slice() {
            [syn::Stmt::Expr(value, None)] => self.convert(value),
            _ => {
                self.error(
                    block,
                    "a block must hold exactly one expression, without `;` or `let`, as in `{ \"minor\" }`",
                );
                None
            }
        }
    }

    fn literal(&mut self, lit: &syn::Lit) -> Option<Expr> {
        match lit {
            syn::Lit::Int(int) => self.int(int, false),
            syn::Lit::Float(float) => self.float(float, false),
            syn::Lit::Str(s) => Some(Expr::string(s.value())),
            syn::Lit::Bool(b) => Some(Expr::bool(b.value)),
            syn::Lit::Char(c) => {
                self.error(
                    c,
                    format!(
                        "a character literal is not text: write it in double quotes, as in `\"{}\"`",
                        c.value().escape_default()
                    ),
                );
                None
            }
            other => {
                self.error(
                    other,
                    format!(
                        "this literal is not supported: write text in double quotes; {SUPPORTED}"
                    ),
                );
                None
            }
        }
    }

    /// An integer literal, negated when it follows `-` (so that `i64::MIN` can be written).
    fn int(&mut self, int: &syn::LitInt, negative: bool) -> Option<Expr> {
        if !matches!(int.suffix(), "" | "i64" | "i32") {
            self.error(
                int,
                format!(
                    "an integer literal has no suffix or `i64`/`i32`, not `{}`",
                    int.suffix()
                ),
            );
            return None;
        }
        let sign = if negative { "-" } else { "" };
        match format!("{sign}{}", int.base10_digits()).parse::<i64>() {
            Ok(value) => Some(Expr::int(value)),
            Err(_) => {
                self.error(int, "this integer does not fit in 64 bits (i64)");
                None
            }
        }
    }

    fn float(&mut self, float: &syn::LitFloat, negative: bool) -> Option<Expr> {
        if !matches!(float.suffix(), "" | "f64") {
            self.error(
                float,
                format!(
                    "a float literal has no suffix or `f64`, not `{}`: the databases compute in doubles",
                    float.suffix()
                ),
            );
            return None;
        }
        match float.base10_parse::<f64>() {
            Ok(value) if value.is_finite() => {
                Some(Expr::float(if negative { -value } else { value }))
            }
            _ => {
                self.error(float, "this float is out of the range of a double (f64)");
                None
            }
        }
    }

    /// `None` (NULL) or a column.
    fn path(&mut self, path: &syn::ExprPath) -> Option<Expr> {
        let ident = match path.path.get_ident() {
            Some(ident) if path.qself.is_none() => ident,
            _ => {
                self.error(
                    path,
                    "this path is not a column: a column is a name (`age`, `r#type`) or `table.column`",
                );
                return None;
            }
        };
        if ident == "None" {
            return Some(Expr::null());
        }
        if ident == "NULL" || ident == "null" {
            self.error(
                ident,
                format!(
                    "SQL's NULL is written `None` (for a column named `{ident}`, write `r#{ident}`)"
                ),
            );
            return None;
        }
        let name = self.name(ident)?;
        Some(Expr::column(name))
    }

    /// `table.column`.
    fn field(&mut self, field: &syn::ExprField) -> Option<Expr> {
        let table = match &*field.base {
            syn::Expr::Path(path) if path.qself.is_none() => path.path.get_ident(),
            _ => None,
        };
        let (Some(table), syn::Member::Named(column)) = (table, &field.member) else {
            self.error(
                field,
                "a qualified column is written `table.column` (two names; schemas and method calls are not supported)",
            );
            return None;
        };
        let table = self.name(table);
        let column = self.name(column);
        Some(Expr::qualified_column(table?, column?))
    }

    /// The SQL name of an identifier (`r#type` is `type`), validated.
    fn name(&mut self, ident: &Ident) -> Option<String> {
        let name = ident.unraw().to_string();
        match validate_ident(&name) {
            Ok(()) => Some(name),
            Err(e) => {
                self.error(ident, format!("`{name}` is not a usable SQL name: {e}"));
                None
            }
        }
    }

    fn unary(&mut self, unary: &syn::ExprUnary) -> Option<Expr> {
        let op = match unary.op {
            syn::UnOp::Neg(_) => UnaryOp::Neg,
            syn::UnOp::Not(_) => UnaryOp::Not,
            _ => {
                self.error(
                    unary,
                    "dereferencing is not supported: write the value itself",
                );
                return None;
            }
        };
        // `-5` is a negative literal, not the negation of one.
        if op == UnaryOp::Neg
            && let syn::Expr::Lit(lit) = &*unary.expr
        {
            match &lit.lit {
                syn::Lit::Int(int) => return self.int(int, true),
                syn::Lit::Float(float) => return self.float(float, true),
                _ => {}
            }
        }
        let operand = self.convert(&unary.expr)?;
        Some(Expr::unary(op, operand))
    }

    fn binary(&mut self, binary: &syn::ExprBinary) -> Option<Expr> {
        use syn::BinOp as B;
        let op = match binary.op {
            B::Add(_) => BinaryOp::Add,
            B::Sub(_) => BinaryOp::Sub,
            B::Mul(_) => BinaryOp::Mul,
            B::Div(_) => BinaryOp::Div,
            B::Rem(_) => BinaryOp::Rem,
            B::Eq(_) => BinaryOp::Eq,
            B::Ne(_) => BinaryOp::Ne,
            B::Lt(_) => BinaryOp::Lt,
            B::Le(_) => BinaryOp::Le,
            B::Gt(_) => BinaryOp::Gt,
            B::Ge(_) => BinaryOp::Ge,
            B::And(_) => BinaryOp::And,
            B::Or(_) => BinaryOp::Or,
            B::BitAnd(_) | B::BitOr(_) | B::BitXor(_) | B::Shl(_) | B::Shr(_) => {
                self.error(
                    binary.op,
                    "bitwise operators are not supported (the databases disagree on them); for conditions use `&&` and `||`",
                );
                return None;
            }
            _ => {
                self.error(
                    binary.op,
                    format!("assignment is not an expression here; {SUPPORTED}"),
                );
                return None;
            }
        };
        // Both sides are converted before giving up, so errors in both are reported.
        let left = self.convert(&binary.left);
        let right = self.convert(&binary.right);
        Some(Expr::binary(op, left?, right?))
    }

    fn call(&mut self, call: &syn::ExprCall) -> Option<Expr> {
        let name = match &*call.func {
            syn::Expr::Path(path) if path.qself.is_none() => path.path.get_ident(),
            _ => None,
        };
        let Some(name) = name else {
            self.error(
                &call.func,
                format!(
                    "call a function by its name; the functions are {}",
                    Function::known_names()
                ),
            );
            return None;
        };
        let text = name.unraw().to_string();
        let Some(function) = Function::from_name(&text) else {
            let hint = match Function::from_name(&text.to_lowercase()) {
                Some(f) => format!(" (function names are lower case: `{}`)", f.name()),
                None => String::new(),
            };
            self.error(
                name,
                format!(
                    "unknown function `{text}`{hint}; the functions are {}, and `sql! {{ ... }}` writes SQL per database",
                    Function::known_names()
                ),
            );
            return None;
        };
        if !function.arity().accepts(call.args.len()) {
            self.error(
                call,
                format!(
                    "`{text}` takes {}, not {}: {}",
                    function.arity(),
                    call.args.len(),
                    function.signature()
                ),
            );
            return None;
        }
        let args: Vec<Option<Expr>> = call.args.iter().map(|arg| self.convert(arg)).collect();
        let args = args.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Expr::call(function, args))
    }

    /// `if c { a } else if d { b } else { e }`.
    fn if_else(&mut self, if_expr: &syn::ExprIf) -> Option<Expr> {
        let mut branches = Vec::new();
        let mut ok = true;
        let mut current = if_expr;
        let otherwise = loop {
            if let syn::Expr::Let(binding) = &*current.cond {
                self.error(
                    binding,
                    "`if let` is not supported: test for NULL with `is_null(x)` or `is_not_null(x)`",
                );
                ok = false;
            } else {
                let condition = self.convert(&current.cond);
                let value = self.block(&current.then_branch);
                match (condition, value) {
                    (Some(condition), Some(value)) => branches.push((condition, value)),
                    _ => ok = false,
                }
            }
            match current.else_branch.as_ref().map(|(_, e)| &**e) {
                Some(syn::Expr::If(next)) => current = next,
                Some(other) => break self.convert(other).map(Some),
                None => break Some(None),
            }
        };
        let otherwise = otherwise?;
        ok.then(|| Expr::if_else(branches, otherwise))
    }

    fn cast(&mut self, cast: &syn::ExprCast) -> Option<Expr> {
        let target = match &*cast.ty {
            syn::Type::Path(path) if path.qself.is_none() => path
                .path
                .get_ident()
                .and_then(|ident| CastTarget::from_rust_name(&ident.to_string())),
            _ => None,
        };
        let Some(target) = target else {
            let targets: Vec<String> = CastTarget::ALL
                .iter()
                .map(|t| format!("`{}`", t.rust_name()))
                .collect();
            self.error(
                &cast.ty,
                format!(
                    "cannot cast to `{}`: the targets are {}",
                    cast.ty.to_token_stream(),
                    targets.join(", ")
                ),
            );
            return None;
        };
        let operand = self.convert(&cast.expr)?;
        Some(Expr::cast(operand, target))
    }

    /// `sql! { postgres: "...", mysql: "...", sqlite: "..." }`, each fragment parsed as an
    /// expression by its dialect's parser.
    fn raw(&mut self, mac: &syn::Macro) -> Option<Expr> {
        if !mac.path.is_ident("sql") {
            self.error(
                &mac.path,
                format!(
                    "only `sql! {{ postgres: \"...\", mysql: \"...\", sqlite: \"...\" }}` can be used inside an expression, not `{}!`",
                    mac.path.to_token_stream()
                ),
            );
            return None;
        }
        let entries =
            match mac.parse_body_with(Punctuated::<Fragment, syn::Token![,]>::parse_terminated) {
                Ok(entries) => entries,
                Err(e) => {
                    self.push(e);
                    return None;
                }
            };
        let mut raw = RawSql::default();
        let mut ok = true;
        for entry in entries {
            let Ok(dialect) = entry.key.to_string().parse::<Dialect>() else {
                self.error(
                    &entry.key,
                    format!(
                        "unknown dialect `{}`; expected `postgres`, `mysql` or `sqlite`",
                        entry.key
                    ),
                );
                ok = false;
                continue;
            };
            if raw.get(dialect).is_some() {
                self.error(&entry.key, format!("`{}` is given twice", dialect.name()));
                ok = false;
                continue;
            }
            if let Err(message) = check_fragment(dialect, &entry.sql.value()) {
                self.error(&entry.sql, message);
                ok = false;
            }
            raw.set(dialect, entry.sql.value());
        }
        ok.then_some(Expr::Raw(raw))
    }
}

/// What an error about `expr` points at: the faulty argument of a call, when it is one.
fn culprit(expr: &syn::Expr, argument: Option<usize>) -> &dyn ToTokens {
    match (argument, expr) {
        (Some(index), syn::Expr::Call(call)) if index < call.args.len() => &call.args[index],
        _ => expr,
    }
}

/// One `dialect: "sql"` entry of `sql! { ... }`.
struct Fragment {
    key: Ident,
    sql: LitStr,
}

impl Parse for Fragment {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        let sql: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a string literal holding one SQL expression, as in `postgres: \"age(created_at)\"`",
            )
        })?;
        Ok(Fragment { key, sql })
    }
}

/// Checks that `sql` is exactly one expression that `dialect`'s parser accepts, without comments
/// (a trailing `--` comment would swallow the rest of the generated statement).
fn check_fragment(dialect: Dialect, sql: &str) -> Result<(), String> {
    let name = dialect.display_name();
    let parser_dialect: &dyn sqlparser::dialect::Dialect = match dialect {
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Mysql => &MySqlDialect {},
        Dialect::Sqlite => &SQLiteDialect {},
    };
    let not_parsed = |e: &dyn std::fmt::Display| {
        let message = e.to_string();
        let message = message
            .strip_prefix("sql parser error: ")
            .unwrap_or(&message)
            .to_owned();
        format!("this SQL does not parse as a {name} expression: {message}")
    };
    let tokens = Tokenizer::new(parser_dialect, sql)
        .tokenize()
        .map_err(|e| not_parsed(&e))?;
    let comment = tokens.iter().any(|t| {
        matches!(
            t,
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
            )
        )
    });
    if comment {
        return Err(format!(
            "this {name} fragment holds a comment: remove it (it would hide the rest of the statement)"
        ));
    }
    let mut parser = Parser::new(parser_dialect)
        .try_with_sql(sql)
        .map_err(|e| not_parsed(&e))?;
    parser.parse_expr().map_err(|e| not_parsed(&e))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "this {name} fragment holds more than one expression: it continues with `{}`",
            next.token
        ));
    }
    Ok(())
}

/// The message for syntax the language does not have, with the closest thing it does have.
fn unsupported(expr: &syn::Expr) -> String {
    let what = match expr {
        syn::Expr::MethodCall(call) => {
            return format!(
                "method calls are not supported: call a function instead, as in `{}({})`; the functions are {}",
                call.method,
                call.receiver.to_token_stream(),
                Function::known_names()
            );
        }
        syn::Expr::Match(_) => {
            return "`match` is not supported: write `if ... { } else if ... { } else { }`"
                .to_owned();
        }
        syn::Expr::Reference(_) => {
            return "references are not supported: write the value itself".to_owned();
        }
        syn::Expr::Index(_) => "indexing",
        syn::Expr::Tuple(_) => "a tuple",
        syn::Expr::Array(_) => "an array",
        syn::Expr::Closure(_) => "a closure",
        syn::Expr::Let(_) => "`let`",
        syn::Expr::Range(_) => "a range",
        syn::Expr::Struct(_) => "a struct literal",
        syn::Expr::Try(_) => "`?`",
        syn::Expr::Assign(_) => "assignment",
        syn::Expr::Block(_) => "a labeled block",
        _ => "this syntax",
    };
    format!("{what} is not supported: {SUPPORTED}")
}
