//! Checking the attribute's arguments against each other and the function's signature, and
//! collecting what the expansion needs.

use super::args::{DownSpec, Errors, MigrationArgs};
use crate::checksum::canonical_text;
use crate::{dialects, sql_check};
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, ExprLit, FnArg, Item, ItemFn, Lit, LitInt, Path, ReturnType, Type};

/// How the expansion reverts the migration.
pub enum DownPlan {
    Function(Path),
    Derived(crate::helpers::reversible::DerivedDown),
    Irreversible,
}

/// Everything the expansion needs, validated.
pub struct MigrationPlan {
    pub id: u64,
    pub id_lit: LitInt,
    pub name: String,
    pub description: String,
    pub down: DownPlan,
    pub transactional: bool,
    pub checksum: String,
}

/// The error for `#[migration]` on something other than a function.
pub fn not_a_function(item: &Item) -> syn::Error {
    let what = match item {
        Item::Struct(_) => "a struct",
        Item::Enum(_) => "an enum",
        Item::Impl(_) => "an impl block",
        Item::Mod(_) => "a module",
        Item::Const(_) => "a const",
        Item::Static(_) => "a static",
        Item::Trait(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Use(_) => "a use declaration",
        _ => "something that is not a function",
    };
    syn::Error::new_spanned(
        item,
        format!(
            "#[migration] goes on a function `fn name(m: &mut Migration) -> Result<()>`, not on {what}"
        ),
    )
}

pub fn validate(args: MigrationArgs, function: &ItemFn) -> syn::Result<MigrationPlan> {
    let mut errors = Errors::default();
    check_signature(function, &mut errors);
    check_sql_literals(function, &mut errors);

    let attribute_span = args.span.unwrap_or_else(proc_macro2::Span::call_site);
    if args.id.is_none() {
        errors.push(syn::Error::new(
            attribute_span,
            "missing `id`: every migration needs a unique positive integer id that fixes its order, as in `#[migration(id = 5, ...)]`",
        ));
    }
    let down = match args.down.len() {
        0 => {
            errors.push(syn::Error::new(
                attribute_span,
                "say how this migration is reverted: `down = function_name`, `reversible` (derive it from the helpers) or `irreversible`",
            ));
            None
        }
        1 => Some(&args.down[0].0),
        _ => {
            errors.push(syn::Error::new(
                args.down[1].1,
                "give only one of `down = ...`, `reversible` and `irreversible`",
            ));
            None
        }
    };
    let down = match down {
        Some(DownSpec::Function(path)) => Some(DownPlan::Function(path.clone())),
        Some(DownSpec::Irreversible) => Some(DownPlan::Irreversible),
        Some(DownSpec::Derived(span)) => {
            match crate::helpers::reversible::derive(function, *span) {
                Ok(Some(derived)) => Some(DownPlan::Derived(derived)),
                // A helper that does not parse reports its own error; the migration will not build.
                Ok(None) => Some(DownPlan::Irreversible),
                Err(error) => {
                    errors.push(error);
                    None
                }
            }
        }
        None => None,
    };
    let transactional = args.transaction.is_none_or(|(value, _)| value);
    if transactional {
        check_no_batched_helpers(function, &mut errors);
    }
    errors.finish()?;
    let (Some((id, id_lit)), Some(down)) = (args.id, down) else {
        unreachable!("errors were reported above");
    };
    let name = args
        .name
        .map(|n| n.value())
        .unwrap_or_else(|| function.sig.ident.to_string());
    Ok(MigrationPlan {
        id,
        id_lit,
        name,
        description: description(function),
        down,
        transactional,
        checksum: checksum(function, id, transactional),
    })
}

fn check_signature(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    if let Some(token) = &sig.asyncness {
        errors.push(syn::Error::new_spanned(
            token,
            "a migration cannot be `async`: migrations run synchronously through Diesel; remove `async`",
        ));
    }
    if let Some(token) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            token,
            "a migration cannot be a `const fn`",
        ));
    }
    if let Some(token) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            token,
            "a migration cannot be `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a migration cannot have an `extern` ABI",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "a migration cannot be generic: it is registered as a plain `fn(&mut Migration) -> Result<()>`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a migration cannot be variadic",
        ));
    }
    let expected = "a migration takes exactly one argument, `m: &mut Migration`";
    match sig.inputs.len() {
        0 => errors.push(syn::Error::new_spanned(
            &sig.ident,
            format!("{expected}; this one takes none"),
        )),
        1 => {}
        _ => errors.push(syn::Error::new_spanned(
            &sig.inputs[1],
            format!("{expected}; remove this one"),
        )),
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => errors.push(syn::Error::new_spanned(
            receiver,
            "a migration is a free function, not a method: take `m: &mut Migration` instead of `self`",
        )),
        Some(FnArg::Typed(arg)) if !is_mut_migration_ref(&arg.ty) => {
            errors.push(syn::Error::new_spanned(
                &arg.ty,
                format!(
                    "the argument of a migration must be `&mut Migration`, found `{}`",
                    arg.ty.to_token_stream()
                ),
            ))
        }
        _ => {}
    }
    match &sig.output {
        ReturnType::Type(_, ty) if last_segment_is(ty, "Result") => {}
        ReturnType::Type(_, ty) => errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "a migration returns `Result<()>` (migrate_core::Result), found `{}`",
                ty.to_token_stream()
            ),
        )),
        ReturnType::Default => errors.push(syn::Error::new_spanned(
            &sig.ident,
            "a migration returns `Result<()>` (migrate_core::Result): add `-> Result<()>` and end the body with `Ok(())`",
        )),
    }
}

fn is_mut_migration_ref(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => {
            reference.mutability.is_some() && last_segment_is(&reference.elem, "Migration")
        }
        _ => false,
    }
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == name),
        _ => false,
    }
}

/// The first paragraph of the doc comment, lines joined with spaces.
fn description(function: &ItemFn) -> String {
    let mut lines = Vec::new();
    for attr in &function.attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    lines
        .split(|line| line.is_empty())
        .find(|paragraph| !paragraph.is_empty())
        .map(|paragraph| paragraph.join(" "))
        .unwrap_or_default()
}

/// The checksum of the function without its doc comment (editing the description is not editing
/// the migration), plus the arguments that change what runs.
fn checksum(function: &ItemFn, id: u64, transactional: bool) -> String {
    let mut without_docs = function.clone();
    without_docs
        .attrs
        .retain(|attr| !attr.path().is_ident("doc"));
    let mut text = format!("id={id} transaction={transactional} ");
    canonical_text(without_docs.into_token_stream(), &mut text);
    migrate_sql::Checksum::of(text.as_bytes()).to_string()
}

/// Batched helpers commit each batch on their own, which a migration running in one
/// transaction cannot allow: require `transaction = false`.
fn check_no_batched_helpers(function: &ItemFn, errors: &mut Errors) {
    struct Batched<'a>(&'a mut Errors);
    impl<'ast> Visit<'ast> for Batched<'_> {
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            let name = mac
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            if crate::helpers::HelperKind::from_name(&name).is_some_and(|k| k.is_batched()) {
                self.0.push(syn::Error::new_spanned(
                    &mac.path,
                    format!(
                        "`{name}!` commits each batch on its own, so this migration cannot run in one transaction: add `transaction = false` to #[migration]"
                    ),
                ));
            }
        }
    }
    Batched(errors).visit_block(&function.block);
}

/// Parses every `m.execute("literal")` in the body for each enabled dialect.
fn check_sql_literals(function: &ItemFn, errors: &mut Errors) {
    let Some(FnArg::Typed(arg)) = function.sig.inputs.first() else {
        return;
    };
    let syn::Pat::Ident(param) = &*arg.pat else {
        return;
    };
    let mut visitor = ExecuteLiterals {
        param: &param.ident,
        errors,
    };
    visitor.visit_block(&function.block);
}

struct ExecuteLiterals<'a> {
    param: &'a syn::Ident,
    errors: &'a mut Errors,
}

impl<'ast> Visit<'ast> for ExecuteLiterals<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let on_param = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident(self.param));
        if on_param
            && call.method == "execute"
            && call.args.len() == 1
            && let Some(Expr::Lit(ExprLit {
                lit: Lit::Str(sql), ..
            })) = call.args.first()
        {
            for dialect in dialects::enabled() {
                if let Err(message) = sql_check::check(dialect, &sql.value()) {
                    self.errors.push(syn::Error::new(
                        sql.span(),
                        format!(
                            "{message}\n(`execute` with a string literal must run on every enabled database; write per-dialect SQL with `sql! {{ postgres: \"...\", mysql: \"...\", sqlite: \"...\" }}`)"
                        ),
                    ));
                    break;
                }
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
