//! The functions a migration runs besides its own: the `down` function and the helper functions
//! it hands the handle to (`create_indexes(m)?`), when they are defined in the same module of the
//! same file.
//!
//! An attribute macro sees only its own item, so `#[migration]` reads its source file (the
//! compiler says which one) and finds them there. A function in another file or module is not
//! checked: the README says so, and putting `#[migration]`-checked SQL in the migration itself, or
//! in the same module, is the way to have it checked.

use super::body::{self, BodyReport, HandleCall};
use migrate_sql::Dialect;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::{Ident, ItemFn, Path};

/// The source file of the macro invocation, as token trees, with its text.
///
/// Only lexed: the functions needed are found by their `fn name` tokens and parsed alone, since
/// every `#[migration]` of a file reads it again (parsing all of a 100-migration file for each
/// one would make its build quadratic).
pub struct SourceFile {
    text: String,
    trees: Vec<TokenTree>,
}

impl SourceFile {
    /// The file the compiler is expanding `#[migration]` in, if it can be read and lexed.
    pub fn current() -> Option<Self> {
        if !proc_macro::is_available() {
            return None;
        }
        let path = proc_macro::Span::call_site().local_file()?;
        let text = std::fs::read_to_string(path).ok()?;
        Self::parse(text)
    }

    fn parse(text: String) -> Option<Self> {
        let trees: TokenStream = text.parse().ok()?;
        Some(SourceFile {
            text,
            trees: trees.into_iter().collect(),
        })
    }

    /// The token trees of the module that defines the migration function `up` (with
    /// `#[migration]` on it); `None` if it is not found or found more than once.
    fn module_of(&self, up: &Ident) -> Option<Vec<TokenTree>> {
        let mut found = Vec::new();
        collect_modules(&self.trees, up, &mut found);
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// The 1-based line and column where `literal`'s source text first appears after `fn name`.
    fn literal_start(&self, function: &Ident, literal: &syn::LitStr) -> Option<(usize, usize)> {
        let needle = format!("fn {function}");
        let mut from = 0;
        let definition = loop {
            let at = from + self.text.get(from..)?.find(&needle)?;
            let after = self.text.get(at + needle.len()..)?;
            if !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                break at;
            }
            from = at + needle.len();
        };
        let source = literal.token().to_string();
        let offset = definition + self.text.get(definition..)?.find(&source)?;
        let before = self.text.get(..offset)?;
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, column))
    }
}

/// The index of `fn name` in `trees`.
fn fn_index(trees: &[TokenTree], name: &Ident) -> Option<usize> {
    trees.windows(2).position(|pair| {
        matches!(pair, [TokenTree::Ident(keyword), TokenTree::Ident(found)] if keyword == "fn" && found == name)
    })
}

fn collect_modules(trees: &[TokenTree], up: &Ident, found: &mut Vec<Vec<TokenTree>>) {
    if let Some(index) = fn_index(trees, up)
        && preceded_by_migration_attribute(&trees[..index])
    {
        found.push(trees.to_vec());
    }
    for pair in trees.windows(3) {
        if let [
            TokenTree::Ident(keyword),
            TokenTree::Ident(_),
            TokenTree::Group(body),
        ] = pair
            && keyword == "mod"
            && body.delimiter() == Delimiter::Brace
        {
            let inner: Vec<TokenTree> = body.stream().into_iter().collect();
            collect_modules(&inner, up, found);
        }
    }
}

/// Whether the attributes just before an item (the end of `before`) include `#[...migration...]`.
/// Walks back over the qualifiers (`pub(crate) async`) and every attribute, doc comments included
/// (each line of which is an attribute once lexed).
fn preceded_by_migration_attribute(before: &[TokenTree]) -> bool {
    let mut index = before.len();
    while index > 0 {
        match &before[index - 1] {
            TokenTree::Ident(word)
                if ["pub", "async", "const", "unsafe", "extern", "crate"]
                    .contains(&word.to_string().as_str()) =>
            {
                index -= 1;
            }
            TokenTree::Literal(_) => index -= 1,
            TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis => index -= 1,
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                let is_migration = syn::parse2::<syn::Meta>(group.stream()).is_ok_and(|meta| {
                    meta.path()
                        .segments
                        .last()
                        .is_some_and(|segment| segment.ident == "migration")
                });
                if is_migration {
                    return true;
                }
                // The `#` before the brackets.
                index = index.saturating_sub(2);
            }
            _ => return false,
        }
    }
    false
}

/// The function `name` of `module`, parsed from its qualifiers to its body.
fn function_in(module: &[TokenTree], name: &Ident) -> Option<ItemFn> {
    let index = fn_index(module, name)?;
    // Back over the qualifiers (`pub(crate) async unsafe extern "C"`), which the signature check
    // needs to see.
    let mut start = index;
    while start > 0 {
        let keep = match &module[start - 1] {
            TokenTree::Ident(word) => {
                ["pub", "async", "const", "unsafe", "extern"].contains(&word.to_string().as_str())
            }
            TokenTree::Literal(_) => true,
            TokenTree::Group(group) => group.delimiter() == Delimiter::Parenthesis,
            TokenTree::Punct(_) => false,
        };
        if !keep {
            break;
        }
        start -= 1;
    }
    let end = module[index..].iter().position(
        |tree| matches!(tree, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace),
    )? + index;
    let tokens: TokenStream = module[start..=end].iter().cloned().collect();
    syn::parse2(tokens).ok()
}

/// Whether `function` carries `#[migration(...)]` (under any path ending in `migration`).
pub fn has_migration_attribute(function: &ItemFn) -> bool {
    function.attrs.iter().any(is_migration_attribute)
}

/// Whether `attribute` is `#[migration(...)]` (under any path ending in `migration`).
pub fn is_migration_attribute(attribute: &syn::Attribute) -> bool {
    attribute
        .path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "migration")
}

/// Checks the down function and the helper functions of `up`, found in `file`.
pub fn check(
    file: &SourceFile,
    up: &ItemFn,
    down: Option<&Path>,
    up_report: &BodyReport,
    dialects: &[Dialect],
    transactional: bool,
    errors: &mut super::args::Errors,
) {
    let Some(module) = file.module_of(&up.sig.ident) else {
        return;
    };
    let find = |name: &Ident| function_in(&module, name);
    // (function, where it is named, is it the down function, the databases it runs on)
    let mut queue: Vec<(ItemFn, proc_macro2::Span, bool, Vec<Dialect>)> = Vec::new();
    if let Some(path) = down {
        let name = match path.segments.iter().collect::<Vec<_>>().as_slice() {
            [only] => Some(&only.ident),
            [first, only] if first.ident == "self" => Some(&only.ident),
            _ => None,
        };
        if let Some(function) = name.and_then(&find)
            && function.sig.ident != up.sig.ident
        {
            queue.push((
                function,
                syn::spanned::Spanned::span(path),
                true,
                dialects.to_vec(),
            ));
        }
    }
    let mut seen: Vec<Ident> = vec![up.sig.ident.clone()];
    let enqueue_calls = |calls: &[HandleCall], queue: &mut Vec<_>, seen: &mut Vec<Ident>| {
        for call in calls {
            if seen.contains(&call.name) {
                continue;
            }
            if let Some(function) = find(&call.name)
                && !has_migration_attribute(&function)
            {
                seen.push(call.name.clone());
                queue.push((function, call.name.span(), false, call.dialects.clone()));
            }
        }
    };
    enqueue_calls(&up_report.calls, &mut queue, &mut seen);
    while let Some((function, named_at, is_down, dialects)) = queue.pop() {
        if is_down {
            check_down_signature(&function, named_at, errors);
        }
        let Some(handle) = body::handle_parameter(&function.sig) else {
            continue;
        };
        let report = body::check_block(&function.block, handle, &dialects, transactional);
        for finding in &report.findings {
            let start = file.literal_start(&function.sig.ident, &finding.literal);
            errors.push(body::related_finding_error(
                named_at,
                &function.sig.ident,
                start,
                finding,
            ));
        }
        enqueue_calls(&report.calls, &mut queue, &mut seen);
    }
}

/// The down function's signature, checked as the up function's is (an `async` down function would
/// otherwise get only rustc's error about elided lifetimes).
fn check_down_signature(
    function: &ItemFn,
    named_at: proc_macro2::Span,
    errors: &mut super::args::Errors,
) {
    let mut own = super::args::Errors::default();
    super::signature::check(&function.sig, &mut own);
    if let Err(error) = own.finish() {
        for problem in error {
            errors.push(syn::Error::new(
                named_at,
                format!(
                    "the down function `{}` must have the migration signature: {problem}",
                    function.sig.ident
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
use migrate_core::prelude::*;

mod inner {
    /// A migration whose doc comment is long enough
    /// to put many attributes
    /// between its `#[migration]`
    /// and its `fn`,
    /// once lexed:
    /// each line is one.
    #[migration(id = 1, down = revert)]
    #[allow(unused)]
    fn up(m: &mut Migration) -> Result<()> {
        m.execute("CREATE INDEX i ON t (a)")?;
        add_more(m)?;
        Ok(())
    }

    fn revert(m: &mut Migration) -> Result<()> {
        m.execute("DROP INDX i")?;
        Ok(())
    }

    fn add_more(db: &mut Migration) -> Result<()> {
        if db.dialect() == Dialect::Postgres {
            db.execute("CREATE INDEX j ON t USING gin (a)")?;
        }
        db.execute("ALTER TABLE t MODIFY COLUMN a BIGINT")?;
        Ok(())
    }
}
"#;

    #[test]
    fn finds_the_module_and_the_literal_line() {
        let file = SourceFile::parse(TEXT.to_owned()).expect("parses");
        let up: Ident = syn::parse_quote!(up);
        let module = file.module_of(&up).expect("found");
        let revert: Ident = syn::parse_quote!(revert);
        assert!(function_in(&module, &revert).is_some());
        let literal: syn::LitStr = syn::parse_quote!("DROP INDX i");
        assert_eq!(file.literal_start(&revert, &literal), Some((20, 19)));
    }

    #[test]
    fn checks_the_down_function_and_helpers_for_their_databases() {
        let file = SourceFile::parse(TEXT.to_owned()).expect("parses");
        let up: ItemFn = syn::parse_str(
            "#[migration(id = 1, down = revert)] fn up(m: &mut Migration) -> Result<()> { m.execute(\"CREATE INDEX i ON t (a)\")?; add_more(m)?; Ok(()) }",
        )
        .expect("the migration");
        let handle = body::handle_parameter(&up.sig).expect("a handle");
        let report = body::check_block(&up.block, handle, &Dialect::ALL, true);
        assert!(report.findings.is_empty());
        let down: Path = syn::parse_quote!(revert);
        let mut errors = super::super::args::Errors::default();
        check(
            &file,
            &up,
            Some(&down),
            &report,
            &Dialect::ALL,
            true,
            &mut errors,
        );
        let messages: Vec<String> = errors
            .finish()
            .expect_err("two errors")
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        // The helper's PostgreSQL-only index is fine under its condition; MODIFY is not.
        assert!(messages.iter().any(|m| m.starts_with("in `add_more`, which this migration runs: PostgreSQL rejects `ALTER TABLE ... MODIFY COLUMN`")), "{messages:?}");
        assert!(
            messages.iter().any(|m| m
                .starts_with("in `revert`, which this migration runs: this SQL does not parse")),
            "{messages:?}"
        );
    }
}
