//! Checks of a migration's body: raw SQL literals parse for every enabled dialect, and batched
//! helpers only run outside a single transaction.

use super::args::Errors;
use crate::{dialects, sql_check};
use syn::visit::Visit;
use syn::{Expr, ExprLit, FnArg, ItemFn, Lit};

/// Batched helpers commit each batch on their own, which a migration running in one
/// transaction cannot allow: require `transaction = false`.
pub fn check_no_batched_helpers(function: &ItemFn, errors: &mut Errors) {
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
pub fn check_sql_literals(function: &ItemFn, errors: &mut Errors) {
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
            && let Err((message, at)) =
                sql_check::check_portable(&dialects::enabled(), &sql.value())
        {
            self.errors.push(sql_check::error_at(sql, &message, at));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}
