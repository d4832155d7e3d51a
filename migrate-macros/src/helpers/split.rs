//! `split_column!` and `merge_columns!`.

use super::Helper;
use super::call::{HelperCall, Inversion, not_derivable_message, run_steps};
use super::syntax::{ColumnDecl, Name, expect, parse_options};
use super::tokens::steps_per_dialect;
use migrate_sql::helpers::split;
use proc_macro2::TokenStream;
use syn::Token;
use syn::parse::{Parse, ParseStream};

/// The most parts a split makes: each further part nests the remainder's expression once more.
const MAX_PARTS: usize = 4;

/// `split_column!(m, table.source TYPE [NOT NULL] => part TYPE [NOT NULL], ..., separator = " ")`.
pub struct Split {
    pub table: Name,
    pub source: ColumnDecl,
    pub parts: Vec<ColumnDecl>,
    pub separator: String,
    pub key: Name,
}

/// `merge_columns!(m, table.(part [TYPE [NOT NULL]], ...) => target TYPE [NOT NULL], separator = " ")`.
pub struct Merge {
    pub table: Name,
    pub parts: Vec<(Name, Option<ColumnDecl>)>,
    pub target: ColumnDecl,
    pub separator: String,
    pub key: Name,
}

/// The options after the columns; `last` is the last column, where a missing separator goes.
fn parse_separator_and_key(
    input: ParseStream,
    table: &Name,
    last: &ColumnDecl,
    usage: &str,
) -> syn::Result<(String, Name)> {
    let options = parse_options(
        input,
        &[
            ("separator", "\"text\""),
            ("key", "the integer primary key column"),
        ],
    )?;
    let mut separator = None;
    let mut key = Name::new("id".into(), table.span);
    for option in options {
        if option.key == "separator" {
            let value = option.string()?;
            if value.is_empty() {
                return Err(syn::Error::new(
                    option.key.span(),
                    "the separator cannot be empty",
                ));
            }
            if value.contains('\0') {
                return Err(syn::Error::new(
                    option.key.span(),
                    "the separator cannot contain NUL",
                ));
            }
            separator = Some(value);
        } else {
            key = option.name()?;
        }
    }
    let separator = separator.ok_or_else(|| {
        syn::Error::new(
            last.name.span,
            format!(
                "missing `, separator = \"...\"` after `{}`: say where values are cut, as in `{usage}`",
                last.name.text
            ),
        )
    })?;
    Ok((separator, key))
}

impl Parse for Split {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let usage = "split_column!(m, users.full_name VARCHAR(100) NOT NULL => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(50), separator = \" \")";
        let table = super::syntax::parse_table(input, true)?;
        expect::<Token![.]>(
            input,
            format!("expected `table.column TYPE`, as in `{usage}`"),
        )?;
        let source: ColumnDecl = input.parse()?;
        expect::<Token![=>]>(
            input,
            format!("expected `=>` and the new columns, as in `{usage}`"),
        )?;
        let mut parts: Vec<ColumnDecl> = vec![input.parse()?];
        // Parts are separated by commas; options (`separator = ...`) follow them.
        while input.peek(Token![,]) {
            let fork = input.fork();
            fork.parse::<Token![,]>()?;
            if fork.is_empty() || (fork.peek(syn::Ident) && fork.peek2(Token![=])) {
                break;
            }
            input.parse::<Token![,]>()?;
            parts.push(input.parse()?);
        }
        if parts.len() < 2 || parts.len() > MAX_PARTS {
            return Err(syn::Error::new(
                parts[0].name.span,
                format!(
                    "a split makes 2 to {MAX_PARTS} columns; found {}",
                    parts.len()
                ),
            ));
        }
        if !source.ty.ty.is_text() {
            return Err(syn::Error::new(
                source.ty.span,
                "only text columns (VARCHAR, TEXT) can be split",
            ));
        }
        for part in &parts {
            if !part.ty.ty.is_text() {
                return Err(syn::Error::new(
                    part.ty.span,
                    "the parts of a split are text columns (VARCHAR, TEXT)",
                ));
            }
        }
        let last = parts.last().unwrap_or(&source);
        let (separator, key) = parse_separator_and_key(input, &table, last, usage)?;
        Ok(Split {
            table,
            source,
            parts,
            separator,
            key,
        })
    }
}

impl Split {
    fn steps(&self) -> TokenStream {
        let source = self.source.spec();
        let parts: Vec<_> = self.parts.iter().map(ColumnDecl::spec).collect();
        steps_per_dialect(|dialect| {
            Ok(split::split_column(
                dialect,
                &self.table.text,
                &self.key.text,
                &source,
                &parts,
                &self.separator,
            ))
        })
    }
}

impl Parse for Merge {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let usage = "merge_columns!(m, users.(first_name VARCHAR(50) NOT NULL, last_name VARCHAR(50)) => full_name VARCHAR(100) NOT NULL, separator = \" \")";
        let table = super::syntax::parse_table(input, true)?;
        expect::<Token![.]>(
            input,
            format!("expected `table.(columns)`, as in `{usage}`"),
        )?;
        let content;
        syn::parenthesized!(content in input);
        let mut parts = Vec::new();
        while !content.is_empty() {
            let fork = content.fork();
            let name: Name = fork.parse()?;
            if fork.is_empty() || fork.peek(Token![,]) {
                content.parse::<Name>()?;
                parts.push((name, None));
            } else {
                let decl: ColumnDecl = content.parse()?;
                parts.push((decl.name.clone(), Some(decl)));
            }
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        if parts.len() < 2 || parts.len() > MAX_PARTS {
            return Err(syn::Error::new(
                table.span,
                format!(
                    "a merge joins 2 to {MAX_PARTS} columns; found {}",
                    parts.len()
                ),
            ));
        }
        expect::<Token![=>]>(
            input,
            format!("expected `=>` and the merged column, as in `{usage}`"),
        )?;
        let target: ColumnDecl = input.parse()?;
        if !target.ty.ty.is_text() {
            return Err(syn::Error::new(
                target.ty.span,
                "a merge makes a text column (VARCHAR, TEXT)",
            ));
        }
        let (separator, key) = parse_separator_and_key(input, &table, &target, usage)?;
        Ok(Merge {
            table,
            parts,
            target,
            separator,
            key,
        })
    }
}

impl Merge {
    fn steps(&self) -> TokenStream {
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(name, _)| name.text.clone())
            .collect();
        let target = self.target.spec();
        steps_per_dialect(|dialect| {
            Ok(split::merge_columns(
                dialect,
                &self.table.text,
                &self.key.text,
                &parts,
                &target,
                &self.separator,
            ))
        })
    }
}

impl HelperCall for Split {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn columns_added(&self) -> Vec<(String, String)> {
        self.parts
            .iter()
            .map(|p| (self.table.text.clone(), p.name.text.clone()))
            .collect()
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(Some(Helper::MergeColumns(Merge {
            table: self.table.clone(),
            parts: self
                .parts
                .iter()
                .map(|p| (p.name.clone(), Some(p.clone())))
                .collect(),
            target: self.source.clone(),
            separator: self.separator.clone(),
            key: self.key.clone(),
        })))
    }
}

impl HelperCall for Merge {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn columns_added(&self) -> Vec<(String, String)> {
        vec![(self.table.text.clone(), self.target.name.text.clone())]
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        let mut parts = Vec::new();
        for (name, decl) in &self.parts {
            let Some(decl) = decl else {
                return Err(syn::Error::new(
                    name.span,
                    not_derivable_message(&format!(
                        "`merge_columns!` must declare the type of `{}` (as in `{} VARCHAR(50)`) so the inverse split can re-create it",
                        name.text, name.text
                    )),
                ));
            };
            parts.push(decl.clone());
        }
        Ok(Some(Helper::SplitColumn(Split {
            table: self.table.clone(),
            source: self.target.clone(),
            parts,
            separator: self.separator.clone(),
            key: self.key.clone(),
        })))
    }
}
