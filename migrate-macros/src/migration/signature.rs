//! Checking what `#[migration]` is attached to: a plain function `fn name(m: &mut Migration) ->
//! Result<()>`.

use super::args::Errors;
use crate::display::type_text;
use quote::{ToTokens, quote};
use syn::{FnArg, GenericArgument, Item, PathArguments, ReturnType, Signature, Type};

/// The signature every migration has, as errors show it.
const EXPECTED: &str = "fn name(m: &mut Migration) -> Result<()>";

/// The error for `#[migration]` on something other than a function, spanning the item's keyword
/// and name (not its whole body).
pub fn not_a_function(item: &Item) -> syn::Error {
    let head = |keyword: &dyn ToTokens, name: &dyn ToTokens| quote!(#keyword #name);
    let (what, head) = match item {
        Item::Struct(s) => ("a struct", head(&s.struct_token, &s.ident)),
        Item::Enum(e) => ("an enum", head(&e.enum_token, &e.ident)),
        Item::Union(u) => ("a union", head(&u.union_token, &u.ident)),
        Item::Const(c) => ("a const", head(&c.const_token, &c.ident)),
        Item::Static(s) => ("a static", head(&s.static_token, &s.ident)),
        Item::Trait(t) => ("a trait", head(&t.trait_token, &t.ident)),
        Item::Type(t) => ("a type alias", head(&t.type_token, &t.ident)),
        Item::Mod(m) => ("a module", head(&m.mod_token, &m.ident)),
        Item::Impl(i) => {
            return syn::Error::new_spanned(
                head(&i.impl_token, &i.self_ty),
                format!(
                    "#[migration] goes on a function `{EXPECTED}`, not on an impl block: a migration is a free function, outside any `impl`"
                ),
            );
        }
        other => ("something that is not a function", other.to_token_stream()),
    };
    syn::Error::new_spanned(
        head,
        format!("#[migration] goes on a function `{EXPECTED}`, not on {what}"),
    )
}

/// Pushes an error for each part of `sig` that differs from the migration signature.
pub fn check(sig: &Signature, errors: &mut Errors) {
    let mut reject = |tokens: &dyn ToTokens, message: &str| {
        errors.push(syn::Error::new_spanned(tokens, message));
    };
    if let Some(token) = &sig.asyncness {
        reject(
            token,
            "a migration cannot be `async`: migrations run synchronously through Diesel; remove `async`",
        );
    }
    if let Some(token) = &sig.constness {
        reject(
            token,
            "a migration cannot be a `const fn`: it runs SQL when applied; remove `const`",
        );
    }
    if let Some(token) = &sig.unsafety {
        reject(
            token,
            "a migration cannot be `unsafe`: the runner calls it as a safe function; remove `unsafe` and use an `unsafe` block inside if you must",
        );
    }
    if let Some(abi) = &sig.abi {
        let written = match &abi.name {
            Some(name) => format!("extern {}", name.to_token_stream()),
            None => "extern".to_owned(),
        };
        reject(
            abi,
            &format!(
                "a migration cannot have an `extern` ABI: the runner calls it as a Rust function; remove `{written}`"
            ),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        reject(
            &sig.generics,
            &format!(
                "a migration cannot be generic: it is registered as a plain `{EXPECTED}`; remove the generic parameters"
            ),
        );
    }
    if let Some(variadic) = &sig.variadic {
        reject(variadic, "a migration cannot be variadic; remove `...`");
    }
    check_inputs(sig, &mut reject);
    check_output(sig, &mut reject);
}

fn check_inputs(sig: &Signature, reject: &mut impl FnMut(&dyn ToTokens, &str)) {
    let one = "a migration takes exactly one argument, `m: &mut Migration`";
    match sig.inputs.len() {
        0 => reject(
            &sig.ident,
            &format!(
                "{one}; this one takes none: write `fn {}(m: &mut Migration)`",
                sig.ident
            ),
        ),
        1 => {}
        _ => reject(
            &sig.inputs
                .iter()
                .skip(1)
                .map(ToTokens::to_token_stream)
                .collect::<proc_macro2::TokenStream>(),
            &format!("{one}; remove these (a migration gets no other input)"),
        ),
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => reject(
            receiver,
            "a migration is a free function, not a method: take `m: &mut Migration` instead of `self`, and move the function out of the `impl` block",
        ),
        Some(FnArg::Typed(arg)) => match &*arg.ty {
            Type::Reference(r)
                if r.mutability.is_some() && last_segment_is(&r.elem, "Migration") => {}
            Type::Reference(r) if last_segment_is(&r.elem, "Migration") => reject(
                &arg.ty,
                "the argument of a migration is a mutable reference: write `&mut Migration`",
            ),
            other => reject(
                other,
                &format!(
                    "the argument of a migration must be `&mut Migration` (the handle that runs SQL), not `{}`",
                    type_text(other)
                ),
            ),
        },
        None => {}
    }
}

fn check_output(sig: &Signature, reject: &mut impl FnMut(&dyn ToTokens, &str)) {
    let ty = match &sig.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            reject(
                &sig.ident,
                "a migration returns `Result<()>` (migrate_core::Result): add `-> Result<()>` after the arguments and end the body with `Ok(())`",
            );
            return;
        }
    };
    let Some(arguments) = result_arguments(ty) else {
        reject(
            ty,
            &format!(
                "a migration returns `Result<()>` (migrate_core::Result), not `{}`",
                type_text(ty)
            ),
        );
        return;
    };
    if let Some(GenericArgument::Type(value)) = arguments.first()
        && !matches!(value, Type::Tuple(t) if t.elems.is_empty())
    {
        reject(
            value,
            &format!(
                "a migration returns `Result<()>`: it succeeds with `Ok(())`, not with a `{}` (report counts with `m.note(...)`)",
                type_text(value)
            ),
        );
    }
    if let Some(GenericArgument::Type(error)) = arguments.get(1)
        && !last_segment_is(error, "Error")
    {
        reject(
            error,
            &format!(
                "a migration fails with `migrate_core::Error`, not `{}`: return `Result<()>` and convert other errors with `Error::msg`",
                type_text(error)
            ),
        );
    }
}

/// The generic arguments of `ty` if it is a path ending in `Result` (none for a bare `Result`).
fn result_arguments(ty: &Type) -> Option<Vec<&GenericArgument>> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    Some(match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().collect(),
        _ => Vec::new(),
    })
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
