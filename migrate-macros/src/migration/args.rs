//! Parsing the attribute's arguments: `id = 5, down = revert, transaction = false, ...`.

pub use crate::errors::Errors;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprPath, Lit, LitInt, LitStr, Meta, Path, Token};

/// The keys the attribute accepts, listed in errors about unknown keys.
pub const VALID_KEYS: &str = "`id`, `name`, `down`, `reversible`, `irreversible`, `transaction`";

/// The same keys, for "did you mean".
const KEYS: [&str; 6] = [
    "id",
    "name",
    "down",
    "reversible",
    "irreversible",
    "transaction",
];

/// `id: 5` (a struct-literal habit) instead of `id = 5`: found before parsing, so the error
/// names the fix instead of syn's bare "expected `,`".
fn colon_instead_of_equals(input: ParseStream) -> syn::Result<()> {
    let tokens: proc_macro2::TokenStream = input.fork().parse()?;
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for pair in tokens.windows(2) {
        if let [
            proc_macro2::TokenTree::Ident(key),
            proc_macro2::TokenTree::Punct(colon),
        ] = pair
            && colon.as_char() == ':'
            && colon.spacing() == proc_macro2::Spacing::Alone
        {
            return Err(syn::Error::new(
                colon.span(),
                format!("write `{key} = ...`: the attribute's keys take `=`, not `:`"),
            ));
        }
    }
    Ok(())
}

/// How the migration is reverted, as the attribute says.
#[derive(Debug)]
pub enum DownSpec {
    /// `down = path`.
    Function(Path),
    /// `reversible`: derive the down migration from the helpers in the body.
    Derived,
    /// `irreversible`.
    Irreversible,
}

/// The attribute's arguments, each checked for form but not yet against each other.
#[derive(Default)]
pub struct MigrationArgs {
    pub id: Option<(u64, LitInt)>,
    pub name: Option<LitStr>,
    /// Every way of reverting given, with the key as written (for errors): one is expected.
    pub down: Vec<(DownSpec, Meta)>,
    pub transaction: Option<bool>,
}

impl MigrationArgs {
    /// Parses the arguments, reporting every problem at once.
    pub fn parse_attribute(input: ParseStream) -> syn::Result<Self> {
        colon_instead_of_equals(input)?;
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        let mut args = MigrationArgs::default();
        let mut errors = Errors::default();
        let mut seen: Vec<String> = Vec::new();
        for meta in metas {
            let key = meta.path().get_ident().map(ToString::to_string);
            let Some(key) = key else {
                errors.push(syn::Error::new_spanned(
                    meta.path(),
                    format!(
                        "unknown key `{}`; valid keys are {VALID_KEYS}",
                        path_text(meta.path())
                    ),
                ));
                continue;
            };
            if seen.contains(&key) {
                errors.push(syn::Error::new_spanned(
                    meta.path(),
                    format!("`{key}` is given twice: give each key once"),
                ));
                continue;
            }
            seen.push(key.clone());
            if let Err(e) = args.parse_one(&key, &meta) {
                errors.push(e);
            }
        }
        errors.finish()?;
        Ok(args)
    }

    fn parse_one(&mut self, key: &str, meta: &Meta) -> syn::Result<()> {
        match key {
            "id" => {
                let value = name_value(meta, "id = 5")?;
                self.id = Some(parse_id(value)?);
            }
            "name" => {
                let value = name_value(meta, "name = \"add_status\"")?;
                match value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) if !s.value().trim().is_empty() => self.name = Some(s.clone()),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            value,
                            "`name` must be a non-empty string, for example `name = \"add_status\"`",
                        ));
                    }
                }
            }
            "down" => {
                let value = name_value(meta, "down = revert_function")?;
                match value {
                    Expr::Path(ExprPath {
                        path, qself: None, ..
                    }) => self
                        .down
                        .push((DownSpec::Function(path.clone()), meta.clone())),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            value,
                            "`down` names the function that reverts this migration, for example `down = drop_status`",
                        ));
                    }
                }
            }
            "reversible" => {
                flag(meta, "reversible")?;
                self.down.push((DownSpec::Derived, meta.clone()));
            }
            "irreversible" => {
                flag(meta, "irreversible")?;
                self.down.push((DownSpec::Irreversible, meta.clone()));
            }
            "transaction" => {
                let value = name_value(meta, "transaction = false")?;
                match value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Bool(b), ..
                    }) => self.transaction = Some(b.value),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            value,
                            "`transaction` takes `true` or `false`, for example `transaction = false`",
                        ));
                    }
                }
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    meta.path(),
                    format!(
                        "unknown key `{key}`{}; valid keys are {VALID_KEYS}",
                        crate::suggest::hint(key, KEYS)
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn parse_id(value: &Expr) -> syn::Result<(u64, LitInt)> {
    let bad = |what: &str| {
        syn::Error::new_spanned(
            value,
            format!("`id` must be a positive integer such as `id = 5`; {what}"),
        )
    };
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            // A negative literal is usually `-` then a literal, but can be one token.
            if int.base10_digits().starts_with('-') {
                return Err(bad("found a negative number"));
            }
            if !int.suffix().is_empty() {
                return Err(bad("write it without a type suffix"));
            }
            let id: u64 = int
                .base10_parse()
                .map_err(|_| bad("this one is too large"))?;
            if id == 0 {
                return Err(bad("0 is reserved for `down --to 0` (revert everything)"));
            }
            if i64::try_from(id).is_err() {
                return Err(bad(
                    "it must fit in a signed 64-bit integer (the history table's BIGINT)",
                ));
            }
            Ok((id, int.clone()))
        }
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
            Err(bad("found a negative number"))
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(_), ..
        }) => Err(bad("found a string: remove the quotes")),
        Expr::Lit(ExprLit {
            lit: Lit::Float(_), ..
        }) => Err(bad("found a fractional number")),
        _ => Err(bad(
            "found an expression: write the number itself (the id is read when the macro runs, before constants exist)",
        )),
    }
}

fn name_value<'m>(meta: &'m Meta, example: &str) -> syn::Result<&'m Expr> {
    match meta {
        Meta::NameValue(nv) => Ok(&nv.value),
        _ => Err(syn::Error::new_spanned(
            meta,
            format!("expected a value, as in `{example}`"),
        )),
    }
}

fn flag(meta: &Meta, key: &str) -> syn::Result<()> {
    match meta {
        Meta::Path(_) => Ok(()),
        _ => Err(syn::Error::new_spanned(
            meta,
            format!("`{key}` takes no value: write just `{key}`"),
        )),
    }
}

fn path_text(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}
