//! Checks of a migration's body: raw SQL literals are accepted by every database they can run on,
//! statements PostgreSQL refuses in a transaction block stay out of one, and batched helpers only
//! run outside a single transaction.

use super::args::Errors;
use crate::sql_check::{self, Position};
use migrate_sql::Dialect;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{Block, Expr, ExprLit, FnArg, Ident, ItemFn, Lit, LitStr, Pat, Signature, Token};

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

/// A problem with one SQL literal of a function body.
pub struct Finding {
    pub literal: LitStr,
    pub message: String,
    pub at: Option<Position>,
}

/// A call `name(..., m, ...)` that hands the migration handle to another function of the module,
/// and the databases it can run on there.
pub struct HandleCall {
    pub name: Ident,
    pub dialects: Vec<Dialect>,
}

/// What checking one function body found.
#[derive(Default)]
pub struct BodyReport {
    pub findings: Vec<Finding>,
    pub calls: Vec<HandleCall>,
    /// For each `sql!` of the body, in the order of the syntax tree, the databases it can run on.
    pub sql_macros: Vec<Vec<Dialect>>,
}

/// The name of the parameter of type `&mut Migration` in `sig`, if there is one.
pub fn handle_parameter(sig: &Signature) -> Option<&Ident> {
    sig.inputs.iter().find_map(|input| {
        let FnArg::Typed(arg) = input else {
            return None;
        };
        let syn::Type::Reference(reference) = &*arg.ty else {
            return None;
        };
        let syn::Type::Path(path) = &*reference.elem else {
            return None;
        };
        let is_migration = path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Migration");
        match &*arg.pat {
            Pat::Ident(param) if is_migration && reference.mutability.is_some() => {
                Some(&param.ident)
            }
            _ => None,
        }
    })
}

/// Checks every `m.execute("literal")` of `block` (whose handle is `handle`) for the databases in
/// `dialects`, narrowed inside `if m.dialect() == Dialect::X` and `match m.dialect()`; and, when the
/// function runs in a transaction on PostgreSQL, the statements PostgreSQL refuses there.
pub fn check_block(
    block: &Block,
    handle: &Ident,
    dialects: &[Dialect],
    transactional: bool,
) -> BodyReport {
    let mut visitor = Literals {
        handle,
        dialects: dialects.to_vec(),
        transactional,
        report: BodyReport::default(),
    };
    visitor.visit_block(block);
    visitor.report
}

struct Literals<'a> {
    handle: &'a Ident,
    dialects: Vec<Dialect>,
    transactional: bool,
    report: BodyReport,
}

impl Literals<'_> {
    fn is_handle(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Path(p) => p.path.is_ident(self.handle),
            Expr::Reference(r) => self.is_handle(&r.expr),
            Expr::Unary(u) => self.is_handle(&u.expr),
            Expr::Paren(p) => self.is_handle(&p.expr),
            _ => false,
        }
    }

    /// `m.dialect()`.
    fn is_dialect_call(&self, expr: &Expr) -> bool {
        match expr {
            Expr::MethodCall(call) => {
                call.method == "dialect" && call.args.is_empty() && self.is_handle(&call.receiver)
            }
            Expr::Paren(p) => self.is_dialect_call(&p.expr),
            _ => false,
        }
    }

    /// The databases for which `condition` holds, if it tests `m.dialect()`.
    fn condition_dialects(&self, condition: &Expr) -> Option<Vec<Dialect>> {
        match condition {
            Expr::Paren(p) => self.condition_dialects(&p.expr),
            Expr::Binary(binary) => match binary.op {
                syn::BinOp::Eq(_) | syn::BinOp::Ne(_) => {
                    let named = if self.is_dialect_call(&binary.left) {
                        dialect_of_path(&binary.right)
                    } else if self.is_dialect_call(&binary.right) {
                        dialect_of_path(&binary.left)
                    } else {
                        None
                    }?;
                    Some(if matches!(binary.op, syn::BinOp::Eq(_)) {
                        vec![named]
                    } else {
                        Dialect::ALL.into_iter().filter(|d| *d != named).collect()
                    })
                }
                syn::BinOp::Or(_) => {
                    let mut left = self.condition_dialects(&binary.left)?;
                    let right = self.condition_dialects(&binary.right)?;
                    left.extend(right);
                    Some(left)
                }
                _ => None,
            },
            // `if let Dialect::Postgres = m.dialect()`
            Expr::Let(binding) if self.is_dialect_call(&binding.expr) => {
                pattern_dialects(&binding.pat)
            }
            Expr::Macro(mac) if mac.mac.path.is_ident("matches") => {
                let (scrutinee, pattern) = mac
                    .mac
                    .parse_body_with(|input: syn::parse::ParseStream| {
                        let scrutinee: Expr = input.parse()?;
                        input.parse::<Token![,]>()?;
                        let pattern = Pat::parse_multi_with_leading_vert(input)?;
                        Ok((scrutinee, pattern))
                    })
                    .ok()?;
                if !self.is_dialect_call(&scrutinee) {
                    return None;
                }
                pattern_dialects(&pattern)
            }
            _ => None,
        }
    }

    fn with_dialects(&mut self, dialects: Vec<Dialect>, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.dialects, dialects);
        visit(self);
        self.dialects = outer;
    }

    fn narrowed(&self, to: &[Dialect]) -> Vec<Dialect> {
        self.dialects
            .iter()
            .copied()
            .filter(|d| to.contains(d))
            .collect()
    }

    fn check_literal(&mut self, sql: &LitStr) {
        if self.dialects.is_empty() {
            // Only reached on databases this build does not enable.
            return;
        }
        let text = sql.value();
        let narrowed = self.dialects != crate::dialects::enabled();
        if let Err((message, at)) = sql_check::check_portable(&self.dialects, &text, narrowed) {
            self.report.findings.push(Finding {
                literal: sql.clone(),
                message,
                at,
            });
            return;
        }
        if self.transactional && self.dialects.contains(&Dialect::Postgres) {
            self.check_transaction(sql, &text);
        }
    }

    fn check_transaction(&mut self, sql: &LitStr, text: &str) {
        if let Some((what, at)) = sql_check::outside_transaction_only(text) {
            self.report.findings.push(Finding {
                literal: sql.clone(),
                message: format!(
                    "PostgreSQL refuses {what} inside a transaction block, and this migration runs in one: add `transaction = false` to #[migration]"
                ),
                at,
            });
        }
    }

    /// The PostgreSQL text of a `sql!` call, for the transaction check (`sql!` checks the rest).
    fn check_sql_macro(&mut self, mac: &syn::Macro) {
        if !(self.transactional && self.dialects.contains(&Dialect::Postgres)) {
            return;
        }
        fn entry(input: syn::parse::ParseStream) -> syn::Result<(Ident, LitStr)> {
            let key: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            Ok((key, input.parse()?))
        }
        let entries = mac.parse_body_with(|input: syn::parse::ParseStream| {
            syn::punctuated::Punctuated::<(Ident, LitStr), Token![,]>::parse_terminated_with(
                input, entry,
            )
        });
        // A malformed `sql!` reports its own errors.
        let Ok(entries) = entries else { return };
        for (key, sql) in entries {
            if key.to_string().parse::<Dialect>() == Ok(Dialect::Postgres) {
                self.check_transaction(&sql, &sql.value());
            }
        }
    }
}

impl<'ast> Visit<'ast> for Literals<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // A `sql!` argument is checked where it is visited, as any `sql!`.
        if call.method == "execute"
            && call.args.len() == 1
            && self.is_handle(&call.receiver)
            && let Some(Expr::Lit(ExprLit {
                lit: Lit::Str(sql), ..
            })) = call.args.first()
        {
            self.check_literal(sql);
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(function) = &*call.func
            && let Some(name) = function.path.get_ident()
            && call.args.iter().any(|arg| self.is_handle(arg))
        {
            self.report.calls.push(HandleCall {
                name: name.clone(),
                dialects: self.dialects.clone(),
            });
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        let Some(holds) = self.condition_dialects(&expr.cond) else {
            syn::visit::visit_expr_if(self, expr);
            return;
        };
        let then_dialects = self.narrowed(&holds);
        let else_dialects: Vec<Dialect> = self
            .dialects
            .iter()
            .copied()
            .filter(|d| !holds.contains(d))
            .collect();
        self.visit_expr(&expr.cond);
        self.with_dialects(then_dialects, |v| v.visit_block(&expr.then_branch));
        if let Some((_, otherwise)) = &expr.else_branch {
            self.with_dialects(else_dialects, |v| v.visit_expr(otherwise));
        }
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        if !self.is_dialect_call(&expr.expr) {
            syn::visit::visit_expr_match(self, expr);
            return;
        }
        let mut remaining = self.dialects.clone();
        for arm in &expr.arms {
            let matched = pattern_dialects(&arm.pat).unwrap_or_else(|| Dialect::ALL.to_vec());
            let arm_dialects: Vec<Dialect> = remaining
                .iter()
                .copied()
                .filter(|d| matched.contains(d))
                .collect();
            if arm.guard.is_none() {
                remaining.retain(|d| !matched.contains(d));
            }
            self.with_dialects(arm_dialects, |v| {
                if let Some((_, guard)) = &arm.guard {
                    v.visit_expr(guard);
                }
                v.visit_expr(&arm.body);
            });
        }
    }

    fn visit_expr_macro(&mut self, mac: &'ast syn::ExprMacro) {
        if mac
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "sql")
        {
            self.report.sql_macros.push(self.dialects.clone());
            self.check_sql_macro(&mac.mac);
        }
        syn::visit::visit_expr_macro(self, mac);
    }

    // A nested function or closure item has its own handle, checked where it is defined.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Tells each `sql!` of a function body that runs on fewer databases than `enabled` (under a
/// dialect condition) which ones, with a hidden first entry `__only: "postgres mysql"`: it then
/// needs, and checks, only those arms. `sql_macros` is [`BodyReport::sql_macros`] of the same
/// body, whose `sql!` calls come in source order; if the tokens hold a different number of them
/// (one in a nested item, which the check skips), nothing is changed, and every `sql!` keeps
/// needing all arms.
pub fn narrow_sql_macros(
    body: TokenStream,
    sql_macros: &[Vec<Dialect>],
    enabled: &[Dialect],
) -> TokenStream {
    if sql_macros.iter().all(|d| d.as_slice() == enabled)
        || count_sql_macros(&body) != sql_macros.len()
    {
        return body;
    }
    let mut next = sql_macros.iter();
    rewrite(body, &mut next, enabled)
}

/// `sql ! (...)` in `tokens`: an identifier `sql`, a `!` and a group.
fn is_sql_call(trees: &[TokenTree], i: usize) -> bool {
    matches!(
        (trees.get(i), trees.get(i + 1), trees.get(i + 2)),
        (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_)))
            if name == "sql" && bang.as_char() == '!'
    )
}

fn count_sql_macros(tokens: &TokenStream) -> usize {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    (0..trees.len())
        .map(|i| match &trees[i] {
            TokenTree::Group(group) => count_sql_macros(&group.stream()),
            _ => usize::from(is_sql_call(&trees, i)),
        })
        .sum()
}

fn rewrite(
    tokens: TokenStream,
    next: &mut std::slice::Iter<'_, Vec<Dialect>>,
    enabled: &[Dialect],
) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        let called = i >= 2 && is_sql_call(&trees, i - 2);
        match tree {
            TokenTree::Group(group) if called => {
                let mut inner = group.stream();
                if let Some(dialects) = next.next()
                    && dialects.as_slice() != enabled
                {
                    let names: Vec<&str> = dialects.iter().map(|d| d.name()).collect();
                    let only = names.join(" ");
                    inner = quote::quote!(__only: #only, #inner);
                }
                let mut rewritten = proc_macro2::Group::new(group.delimiter(), inner);
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
            }
            TokenTree::Group(group) => {
                let mut rewritten = proc_macro2::Group::new(
                    group.delimiter(),
                    rewrite(group.stream(), next, enabled),
                );
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// `Dialect::Postgres` (any path ending in a variant name).
fn dialect_of_path(expr: &Expr) -> Option<Dialect> {
    match expr {
        Expr::Path(path) => variant(path.path.segments.last()?.ident.to_string().as_str()),
        Expr::Paren(p) => dialect_of_path(&p.expr),
        _ => None,
    }
}

fn variant(name: &str) -> Option<Dialect> {
    match name {
        "Postgres" => Some(Dialect::Postgres),
        "Mysql" => Some(Dialect::Mysql),
        "Sqlite" => Some(Dialect::Sqlite),
        _ => None,
    }
}

/// The dialects a pattern matches; `None` for a pattern that matches anything (`_`, a binding).
fn pattern_dialects(pattern: &Pat) -> Option<Vec<Dialect>> {
    match pattern {
        Pat::Path(path) => Some(vec![variant(
            path.path.segments.last()?.ident.to_string().as_str(),
        )?]),
        Pat::Ident(ident) if ident.subpat.is_none() => {
            // `Postgres` after `use Dialect::*` is a variant; another name binds anything.
            variant(ident.ident.to_string().as_str()).map(|d| vec![d])
        }
        Pat::Or(or) => {
            let mut all = Vec::new();
            for case in &or.cases {
                all.extend(pattern_dialects(case)?);
            }
            Some(all)
        }
        Pat::Paren(p) => pattern_dialects(&p.pat),
        _ => None,
    }
}

/// An error for a finding in the migration function itself: on the literal.
pub fn finding_error(finding: &Finding) -> syn::Error {
    sql_check::error_at(&finding.literal, &finding.message, finding.at)
}

/// An error for a finding in another function, reported at `span` (where the migration names it).
pub fn related_finding_error(
    span: Span,
    function: &Ident,
    literal_start: Option<(usize, usize)>,
    finding: &Finding,
) -> syn::Error {
    let message = format!(
        "in `{function}`, which this migration runs: {}",
        finding.message
    );
    let text = match (finding.at, literal_start) {
        // The error points at the migration, so say where the literal is.
        (None, Some((line, _))) => format!("{message}\nat line {line} of this file"),
        _ => sql_check::describe(&finding.literal, literal_start, &message, finding.at),
    };
    syn::Error::new(span, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(block: Block, transactional: bool) -> Vec<String> {
        let handle: Ident = syn::parse_quote!(m);
        check_block(&block, &handle, &Dialect::ALL, transactional)
            .findings
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_literal_under_a_dialect_condition_is_checked_for_that_database_only() {
        // Each of these is PostgreSQL-only SQL under a condition that holds on PostgreSQL alone.
        let accepted = findings(
            syn::parse_quote!({
                if m.dialect() == Dialect::Postgres {
                    m.execute("ALTER TABLE t ALTER COLUMN a SET NOT NULL")?;
                }
                if Dialect::Postgres == m.dialect() {
                    m.execute("SELECT a::text FROM t")?;
                }
                if let Dialect::Postgres = m.dialect() {
                    m.execute("CREATE INDEX i ON t USING gin (a)")?;
                }
                if matches!(m.dialect(), Dialect::Postgres) {
                    m.execute("COMMENT ON TABLE t IS 'x'")?;
                }
                if m.dialect() != Dialect::Postgres {
                    m.execute("UPDATE t SET a = 1 LIMIT 10")?;
                } else {
                    m.execute("UPDATE t SET a = 1")?;
                }
                match m.dialect() {
                    Dialect::Postgres => m.execute("DO $$ BEGIN NULL; END $$")?,
                    Dialect::Mysql => m.execute("ALTER TABLE t MODIFY COLUMN a BIGINT")?,
                    _ => m.execute("CREATE VIRTUAL TABLE f USING fts5(a)")?,
                };
            }),
            false,
        );
        assert!(accepted.is_empty(), "{accepted:?}");
        let refused = findings(
            syn::parse_quote!({
                if m.dialect() == Dialect::Mysql {
                    m.execute("ALTER TABLE t ALTER COLUMN a SET NOT NULL")?;
                }
                m.execute("SELECT a::text FROM t")?;
            }),
            false,
        );
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(refused[0].starts_with("MySQL rejects"), "{refused:?}");
    }

    #[test]
    fn postgres_statements_that_refuse_a_transaction_need_transaction_false() {
        let block: Block = syn::parse_quote!({
            if m.dialect() == Dialect::Postgres {
                m.execute("CREATE INDEX CONCURRENTLY i ON t (a)")?;
            }
            m.execute(sql! {
                postgres: "DROP INDEX CONCURRENTLY i",
                mysql: "DROP INDEX i ON t",
                sqlite: "DROP INDEX i",
            })?;
        });
        assert_eq!(findings(block.clone(), true).len(), 2);
        assert!(findings(block, false).is_empty());
    }

    #[test]
    fn a_sql_macro_under_a_condition_is_told_its_databases() {
        let handle: Ident = syn::parse_quote!(m);
        let block: Block = syn::parse_quote!({
            m.execute(sql! { postgres: "SELECT 1", mysql: "SELECT 1", sqlite: "SELECT 1" })?;
            if m.dialect() == Dialect::Postgres {
                m.execute(migrate_core::sql! { postgres: "SELECT 1" })?;
            }
        });
        let report = check_block(&block, &handle, &Dialect::ALL, true);
        assert_eq!(
            report.sql_macros,
            [Dialect::ALL.to_vec(), vec![Dialect::Postgres]]
        );
        let narrowed = narrow_sql_macros(
            quote::ToTokens::to_token_stream(&block),
            &report.sql_macros,
            &Dialect::ALL,
        )
        .to_string();
        assert_eq!(narrowed.matches("__only").count(), 1, "{narrowed}");
        assert!(
            narrowed.contains(r#"sql ! { __only : "postgres" , postgres : "SELECT 1" }"#),
            "{narrowed}"
        );
    }

    #[test]
    fn calls_that_hand_over_the_handle_are_recorded_with_their_databases() {
        let handle: Ident = syn::parse_quote!(m);
        let block: Block = syn::parse_quote!({
            seed(m)?;
            if m.dialect() == Dialect::Sqlite {
                rebuild(&mut *m, "t")?;
            }
            unrelated(1)?;
        });
        let calls = check_block(&block, &handle, &Dialect::ALL, true).calls;
        let names: Vec<(String, Vec<Dialect>)> = calls
            .into_iter()
            .map(|c| (c.name.to_string(), c.dialects))
            .collect();
        assert_eq!(
            names,
            [
                ("seed".to_owned(), Dialect::ALL.to_vec()),
                ("rebuild".to_owned(), vec![Dialect::Sqlite]),
            ]
        );
    }
}
