//! Parsing pieces shared by the helper macros: `table.column`, column declarations with types,
//! `key = value` options.

use migrate_sql::{ColumnType, validate_ident};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitInt, LitStr, Token};

/// A table, column or constraint name, validated, with its span for errors.
#[derive(Clone)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

impl Name {
    pub fn new(text: String, span: Span) -> Name {
        Name { text, span }
    }
}

impl Parse for Name {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = Ident::parse_any(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a name: a table or column is written as a Rust identifier (`users`, `first_name`, `r#type`)",
            )
        })?;
        // `first-name` reaches the macro as `first`, `-`, `name`: say what is wrong with the
        // name rather than that a `,` was expected after `first`.
        if input.peek(Token![-]) && input.peek2(Ident::peek_any) {
            let minus: Token![-] = input.parse()?;
            let rest = Ident::parse_any(input)?;
            return Err(syn::Error::new_spanned(
                quote::quote!(#ident #minus #rest),
                format!(
                    "`{}-{}` cannot be a name here: helpers take names as Rust identifiers (letters, digits and `_`), so write `{}_{}`, or reach a column with another name through `m.execute(...)`",
                    ident.unraw(),
                    rest.unraw(),
                    ident.unraw(),
                    rest.unraw()
                ),
            ));
        }
        let text = ident.unraw().to_string();
        validate_ident(&text).map_err(|e| {
            syn::Error::new(
                ident.span(),
                format!("invalid SQL identifier `{text}`: {e}"),
            )
        })?;
        Ok(Name {
            text,
            span: ident.span(),
        })
    }
}

/// Parses a `T`, or fails where it failed with `message`, which says what was expected in the
/// helper's own terms instead of syn's generic "expected `=`".
pub fn expect<T: Parse>(input: ParseStream, message: impl std::fmt::Display) -> syn::Result<T> {
    input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), message.to_string()))
}

/// `table.column`.
#[derive(Clone)]
pub struct TableColumn {
    pub table: Name,
    pub column: Name,
}

/// A table name, possibly schema-qualified (`app.issues`: a PostgreSQL schema, a MySQL
/// database). When `column_follows` (the name is followed by `.column`), only a three-part
/// `schema.table.column` has a qualifier.
pub fn parse_table(input: ParseStream, column_follows: bool) -> syn::Result<Name> {
    let first: Name = input.parse()?;
    let qualified = input.peek(Token![.])
        && input.peek2(Ident::peek_any)
        && (!column_follows || input.peek3(Token![.]));
    if !qualified {
        return Ok(first);
    }
    input.parse::<Token![.]>()?;
    let table: Name = input.parse()?;
    Ok(Name::new(
        format!("{}.{}", first.text, table.text),
        first.span,
    ))
}

impl Parse for TableColumn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let table = parse_table(input, true)?;
        if !input.peek(Token![.]) {
            return Err(syn::Error::new(
                table.span,
                format!(
                    "expected `table.column`, found `{}` alone: name the column with its table, as in `users.{}`",
                    table.text, table.text
                ),
            ));
        }
        input.parse::<Token![.]>()?;
        let column: Name = input.parse()?;
        Ok(TableColumn { table, column })
    }
}

/// A column type such as `INTEGER` or `VARCHAR(50)`, with its span.
#[derive(Clone, Copy)]
pub struct TypeSpec {
    pub ty: ColumnType,
    pub span: Span,
}

impl Parse for TypeSpec {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = Ident::parse_any(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected a column type: one of {}", ColumnType::KNOWN),
            )
        })?;
        let mut args = Vec::new();
        let mut span = name.span();
        if input.peek(syn::token::Paren) {
            let content;
            let parens = syn::parenthesized!(content in input);
            span = span.join(parens.span.close()).unwrap_or(span);
            let numbers = content.parse_terminated(LitInt::parse, Token![,])?;
            for number in numbers {
                args.push(number.base10_parse::<u64>()?);
            }
        }
        // `DOUBLE PRECISION` is PostgreSQL's spelling of DOUBLE.
        if name.to_string().eq_ignore_ascii_case("double") && input.peek(Ident::peek_any) {
            let fork = input.fork();
            if Ident::parse_any(&fork)
                .is_ok_and(|i| i.to_string().eq_ignore_ascii_case("precision"))
            {
                let _ = Ident::parse_any(input)?;
            }
        }
        let upper = name.to_string().to_ascii_uppercase();
        // SQL's spellings: `TIMESTAMP WITHOUT TIME ZONE` is TIMESTAMP, `TIMESTAMP WITH TIME ZONE`
        // is TIMESTAMPTZ.
        let mut type_name = name.to_string();
        if upper == "TIMESTAMP" && (peek_keyword(input, "WITH") || peek_keyword(input, "WITHOUT")) {
            let with: Ident = Ident::parse_any(input)?;
            let without = with.to_string().eq_ignore_ascii_case("WITHOUT");
            expect_keyword(input, "TIME", "TIME ZONE")?;
            expect_keyword(input, "ZONE", "TIME ZONE")?;
            if !without {
                type_name = "TIMESTAMPTZ".to_owned();
            }
        }
        let ty = ColumnType::parse(&type_name, &args).map_err(|e| {
            let message = match (upper.as_str(), args.as_slice()) {
                ("VARCHAR", []) => "`VARCHAR` needs its maximum length in characters, as in `VARCHAR(50)` (or use `TEXT` for no limit)".to_owned(),
                ("DECIMAL" | "NUMERIC", []) => format!("`{upper}` needs its precision and scale, as in `{upper}(10, 2)`"),
                ("DECIMAL" | "NUMERIC", [p, s]) if s > p => format!(
                    "the scale exceeds the precision in `{upper}({p}, {s})`: the precision counts all digits and the scale those after the point, so the scale is at most the precision, as in `{upper}({s}, {p})`"
                ),
                ("DECIMAL" | "NUMERIC", [p, _]) if !(1..=38).contains(p) => format!(
                    "the precision of `{upper}` is 1 to 38 digits (the largest every database stores), not {p}"
                ),
                _ => match crate::suggest::closest(&upper, TYPE_NAMES) {
                    Some(close) => format!(
                        "unknown column type `{}` (did you mean `{close}`?); known types are {}",
                        e.0,
                        ColumnType::KNOWN
                    ),
                    None => e.to_string(),
                },
            };
            syn::Error::new(span, message)
        })?;
        Ok(TypeSpec { ty, span })
    }
}

/// The type names the helpers know, for "did you mean".
const TYPE_NAMES: [&str; 23] = [
    "SMALLINT",
    "INTEGER",
    "INT",
    "BIGINT",
    "DOUBLE",
    "REAL",
    "DECIMAL",
    "NUMERIC",
    "BOOLEAN",
    "VARCHAR",
    "TEXT",
    "DATE",
    "TIMESTAMP",
    "DATETIME",
    "TIMESTAMPTZ",
    "TIME",
    "JSON",
    "JSONB",
    "UUID",
    "BYTEA",
    "BLOB",
    "VARBINARY",
    "BINARY",
];

/// An expression of a helper (a value or a condition), with SQL habits that are not Rust caught
/// first: `<>` (write `!=`).
pub fn parse_expression(input: ParseStream) -> syn::Result<syn::Expr> {
    let fork = input.fork();
    match fork.parse::<syn::Expr>() {
        Ok(_) => input.parse(),
        Err(error) => {
            let tokens: TokenStream = input.fork().parse()?;
            Err(sql_operator(tokens).unwrap_or(error))
        }
    }
}

/// An error on the first `<>` in `tokens` (searched in groups too), if there is one.
fn sql_operator(tokens: TokenStream) -> Option<syn::Error> {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match (token, tokens.get(i + 1)) {
            (proc_macro2::TokenTree::Punct(lt), Some(proc_macro2::TokenTree::Punct(gt)))
                if lt.as_char() == '<'
                    && lt.spacing() == proc_macro2::Spacing::Joint
                    && gt.as_char() == '>' =>
            {
                return Some(syn::Error::new(
                    lt.span().join(gt.span()).unwrap_or(lt.span()),
                    "`<>` is SQL's \"not equal\"; a helper's expression is written in Rust syntax: write `!=`",
                ));
            }
            (proc_macro2::TokenTree::Group(group), _) => {
                if let Some(error) = sql_operator(group.stream()) {
                    return Some(error);
                }
            }
            _ => {}
        }
    }
    None
}

/// `NOT NULL`, if it comes next.
pub fn parse_not_null(input: ParseStream) -> syn::Result<bool> {
    if !peek_keyword(input, "NOT") {
        return Ok(false);
    }
    let not = Ident::parse_any(input)?;
    let null = Ident::parse_any(input)
        .ok()
        .filter(|i| i.to_string().eq_ignore_ascii_case("null"))
        .ok_or_else(|| syn::Error::new(not.span(), "expected `NOT NULL`"))?;
    let _ = null;
    Ok(true)
}

/// Whether the next token is the identifier `word` (any case).
pub fn peek_keyword(input: ParseStream, word: &str) -> bool {
    let fork = input.fork();
    Ident::parse_any(&fork).is_ok_and(|i| i.to_string().eq_ignore_ascii_case(word))
}

/// Consumes the identifier `word` (any case) or fails with `expected`.
pub fn expect_keyword(input: ParseStream, word: &str, expected: &str) -> syn::Result<Ident> {
    let span = input.span();
    match Ident::parse_any(input) {
        Ok(ident) if ident.to_string().eq_ignore_ascii_case(word) => Ok(ident),
        Ok(ident) => Err(syn::Error::new(
            ident.span(),
            format!("expected {expected}, found `{ident}`"),
        )),
        Err(_) => Err(syn::Error::new(span, format!("expected {expected}"))),
    }
}

/// A declared column: `name TYPE [NOT NULL]`.
#[derive(Clone)]
pub struct ColumnDecl {
    pub name: Name,
    pub ty: TypeSpec,
    pub not_null: bool,
}

impl ColumnDecl {
    pub fn spec(&self) -> migrate_sql::helpers::ColumnSpec {
        migrate_sql::helpers::ColumnSpec::new(self.name.text.clone(), self.ty.ty, self.not_null)
    }
}

impl Parse for ColumnDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Name = input.parse()?;
        if !input.peek(Ident::peek_any) {
            return Err(syn::Error::new(
                name.span,
                format!(
                    "`{}` needs a type after its name, as in `{} VARCHAR(50) NOT NULL`; the types are {}",
                    name.text,
                    name.text,
                    ColumnType::KNOWN
                ),
            ));
        }
        let ty: TypeSpec = input.parse()?;
        let not_null = parse_not_null(input)?;
        Ok(ColumnDecl { name, ty, not_null })
    }
}

/// The value of an option: a string, an integer, an expression or a name.
pub enum OptionValue {
    Str(LitStr),
    Int(LitInt),
    Expr(Box<syn::Expr>),
}

/// A trailing `key = value` option.
pub struct HelperOption {
    pub key: Ident,
    pub value: OptionValue,
}

/// Options after the helper's main arguments: `, key = value, ...`. `allowed` lists the keys
/// with a short description of each value, for errors.
pub fn parse_options(
    input: ParseStream,
    allowed: &[(&str, &str)],
) -> syn::Result<Vec<HelperOption>> {
    let mut options: Vec<HelperOption> = Vec::new();
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key = Ident::parse_any(input)?;
        let known = allowed.iter().find(|(k, _)| key == k);
        let Some((_, what)) = known else {
            let list = allowed
                .iter()
                .map(|(k, _)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let list = if list.is_empty() {
                "none".to_owned()
            } else {
                list
            };
            let hint = crate::suggest::hint(&key.to_string(), allowed.iter().map(|(k, _)| *k));
            return Err(syn::Error::new(
                key.span(),
                format!("unknown option `{key}`{hint}; this helper's options are {list}"),
            ));
        };
        if options.iter().any(|o| o.key == key) {
            return Err(syn::Error::new(
                key.span(),
                format!("option `{key}` is given twice: keep one"),
            ));
        }
        input
            .parse::<Token![=]>()
            .map_err(|e| syn::Error::new(e.span(), format!("expected `{key} = {what}`")))?;
        let value = if input.peek(LitStr) {
            OptionValue::Str(input.parse()?)
        } else if input.peek(LitInt) {
            OptionValue::Int(input.parse()?)
        } else {
            OptionValue::Expr(Box::new(parse_expression(input)?))
        };
        options.push(HelperOption { key, value });
    }
    Ok(options)
}

impl HelperOption {
    pub fn string(&self) -> syn::Result<String> {
        match &self.value {
            OptionValue::Str(s) => Ok(s.value()),
            _ => Err(syn::Error::new(
                self.key.span(),
                format!("`{}` takes a string literal", self.key),
            )),
        }
    }

    pub fn integer(&self, min: u64) -> syn::Result<u64> {
        match &self.value {
            OptionValue::Int(i) => {
                let value: u64 = i.base10_parse()?;
                if value < min {
                    return Err(syn::Error::new(
                        i.span(),
                        format!("`{}` must be at least {min}", self.key),
                    ));
                }
                Ok(value)
            }
            _ => Err(syn::Error::new(
                self.key.span(),
                format!("`{}` takes an integer literal", self.key),
            )),
        }
    }

    pub fn name(&self) -> syn::Result<Name> {
        match &self.value {
            OptionValue::Expr(expr) => match &**expr {
                syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                    let ident = p.path.get_ident().expect("checked above");
                    let text = ident.unraw().to_string();
                    validate_ident(&text).map_err(|e| {
                        syn::Error::new(
                            ident.span(),
                            format!("invalid SQL identifier `{text}`: {e}"),
                        )
                    })?;
                    Ok(Name::new(text, ident.span()))
                }
                other => Err(syn::Error::new_spanned(
                    other,
                    format!("`{}` takes a column name", self.key),
                )),
            },
            _ => Err(syn::Error::new(
                self.key.span(),
                format!("`{}` takes a column name", self.key),
            )),
        }
    }

    /// A column or a parenthesised list of columns: `key = id`, `key = (issue_id, tag)`.
    pub fn names(&self) -> syn::Result<Vec<Name>> {
        let expected = || {
            syn::Error::new(
                self.key.span(),
                format!(
                    "`{}` takes a column or a list of columns, as in `{} = id` or `{} = (issue_id, tag)`",
                    self.key, self.key, self.key
                ),
            )
        };
        let OptionValue::Expr(expr) = &self.value else {
            return Err(expected());
        };
        let elements: Vec<&syn::Expr> = match &**expr {
            syn::Expr::Tuple(tuple) => tuple.elems.iter().collect(),
            syn::Expr::Paren(paren) => vec![&*paren.expr],
            single => vec![single],
        };
        if elements.is_empty() {
            return Err(expected());
        }
        elements
            .into_iter()
            .map(|element| {
                HelperOption {
                    key: self.key.clone(),
                    value: OptionValue::Expr(Box::new(element.clone())),
                }
                .name()
            })
            .collect()
    }

    pub fn expr(&self) -> syn::Result<&syn::Expr> {
        match &self.value {
            OptionValue::Expr(expr) => Ok(expr),
            _ => Err(syn::Error::new(
                self.key.span(),
                format!("`{}` takes an expression", self.key),
            )),
        }
    }
}

/// The handle argument every helper starts with (`m`), followed by a comma; `helper` names the
/// macro for errors.
pub fn parse_handle(input: ParseStream, helper: &str) -> syn::Result<syn::Expr> {
    let usage = format!("`{helper}!(m, ...)`, where `m` is the migration's `&mut Migration`");
    let handle: syn::Expr = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected the migration handle first, as in {usage}"),
        )
    })?;
    if !input.peek(Token![,]) {
        // `drop_column!(users.email)`: what was read as the handle is the helper's argument.
        return Err(syn::Error::new_spanned(
            &handle,
            format!("expected the migration handle before this, as in {usage}"),
        ));
    }
    input.parse::<Token![,]>()?;
    Ok(handle)
}
