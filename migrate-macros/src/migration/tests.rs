//! `#[migration]` on `proc_macro2` input: parsing and validation, and snapshots of the expansion.

use super::args::{DownSpec, MigrationArgs};
use super::{signature, validate};
use proc_macro2::TokenStream;
use quote::quote;

fn parse_args(tokens: TokenStream) -> syn::Result<MigrationArgs> {
    syn::parse::Parser::parse2(MigrationArgs::parse_attribute, tokens)
}

/// The messages of `error`, in order.
fn messages(error: syn::Error) -> Vec<String> {
    error.into_iter().map(|e| e.to_string()).collect()
}

fn args_errors(tokens: TokenStream) -> Vec<String> {
    match parse_args(tokens) {
        Ok(_) => Vec::new(),
        Err(error) => messages(error),
    }
}

/// The messages of validating `args` on `function`; empty if it is valid.
fn validate_errors(args: TokenStream, function: TokenStream) -> Vec<String> {
    let args = parse_args(args).expect("the arguments parse");
    let function: syn::ItemFn = syn::parse2(function).expect("a function");
    match validate::validate(args, &function) {
        Ok(_) => Vec::new(),
        Err(error) => messages(error),
    }
}

/// The expansion, formatted as a reader sees it.
fn expansion(args: TokenStream, item: TokenStream) -> String {
    let file: syn::File = syn::parse2(super::expand(args, item)).expect("the expansion is a file");
    prettyplease::unparse(&file)
}

fn add_status() -> TokenStream {
    quote! {
        /// Add a status column to orders.
        fn add_status(m: &mut Migration) -> Result<()> {
            m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
            Ok(())
        }
    }
}

#[test]
fn every_key_parses() {
    let args = parse_args(quote!(
        id = 5,
        name = "status",
        down = self::revert,
        transaction = false
    ))
    .unwrap();
    assert_eq!(args.id.map(|(id, _)| id), Some(5));
    assert_eq!(args.name.map(|n| n.value()).as_deref(), Some("status"));
    assert!(
        matches!(args.down.as_slice(), [(DownSpec::Function(path), _)] if path.segments.len() == 2)
    );
    assert_eq!(args.transaction, Some(false));

    let args = parse_args(quote!(reversible, id = 1,)).unwrap();
    assert!(matches!(args.down.as_slice(), [(DownSpec::Derived, _)]));
    let args = parse_args(quote!(id = 1, irreversible)).unwrap();
    assert!(matches!(
        args.down.as_slice(),
        [(DownSpec::Irreversible, _)]
    ));
}

#[test]
fn unknown_key_lists_the_valid_keys() {
    assert_eq!(
        args_errors(quote!(id = 1, version = 2, irreversible)),
        [
            "unknown key `version`; valid keys are `id`, `name`, `down`, `reversible`, `irreversible`, `transaction`"
        ]
    );
}

#[test]
fn a_key_given_twice_is_rejected() {
    assert_eq!(
        args_errors(quote!(id = 1, irreversible, id = 2)),
        ["`id` is given twice: give each key once"]
    );
}

#[test]
fn malformed_ids_say_what_is_wrong() {
    let cases = [
        (quote!(id = "5"), "found a string: remove the quotes"),
        (quote!(id = -5), "found a negative number"),
        (quote!(id = 0), "0 is reserved"),
        (quote!(id = 5u32), "without a type suffix"),
        (quote!(id = 1.5), "found a fractional number"),
        (quote!(id = 9223372036854775808), "signed 64-bit integer"),
        (quote!(id = 100000000000000000000), "too large"),
        (quote!(id = NEXT_ID), "write the number itself"),
        (quote!(id), "expected a value, as in `id = 5`"),
    ];
    for (tokens, expected) in cases {
        let errors = args_errors(tokens.clone());
        assert!(
            errors.len() == 1 && errors[0].contains(expected),
            "{tokens}: {errors:?}"
        );
    }
    assert!(args_errors(quote!(id = 9223372036854775807, irreversible)).is_empty());
}

#[test]
fn values_of_the_wrong_form_show_the_right_one() {
    let cases = [
        (quote!(name = ""), "`name` must be a non-empty string"),
        (quote!(down = "revert"), "for example `down = drop_status`"),
        (
            quote!(transaction = "no"),
            "`transaction` takes `true` or `false`",
        ),
        (quote!(irreversible = true), "write just `irreversible`"),
        (quote!(reversible(yes)), "write just `reversible`"),
    ];
    for (tokens, expected) in cases {
        let errors = args_errors(tokens.clone());
        assert!(
            errors.len() == 1 && errors[0].contains(expected),
            "{tokens}: {errors:?}"
        );
    }
}

#[test]
fn attribute_problems_are_reported_together() {
    let errors = args_errors(quote!(id = 0, version = 1, id = 2));
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn missing_id_and_down_make_one_error() {
    let errors = validate_errors(quote!(), add_status());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("#[migration] needs an `id` and a way to revert"));

    let errors = validate_errors(quote!(irreversible), add_status());
    assert!(
        errors.len() == 1 && errors[0].starts_with("missing `id`"),
        "{errors:?}"
    );
    let errors = validate_errors(quote!(id = 1), add_status());
    assert!(
        errors.len() == 1 && errors[0].starts_with("say how this migration is reverted"),
        "{errors:?}"
    );
}

#[test]
fn only_one_way_to_revert() {
    let errors = validate_errors(
        quote!(id = 1, down = revert, reversible, irreversible),
        add_status(),
    );
    assert_eq!(errors.len(), 2, "one error per extra way: {errors:?}");
    assert!(errors.iter().all(|e| e.starts_with("give only one of")));
}

#[test]
fn wrong_signatures_are_rejected_at_the_offending_part() {
    let cases = [
        (
            quote!(
                async fn f(m: &mut Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "cannot be `async`",
        ),
        (
            quote!(
                const fn f(m: &mut Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "remove `const`",
        ),
        (
            quote!(
                unsafe fn f(m: &mut Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "remove `unsafe`",
        ),
        (
            quote!(
                extern "C" fn f(m: &mut Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "remove `extern \"C\"`",
        ),
        (
            quote!(
                fn f<T>(m: &mut Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "cannot be generic",
        ),
        (
            quote!(
                fn f() -> Result<()> {
                    Ok(())
                }
            ),
            "this one takes none",
        ),
        (
            quote!(
                fn f(m: &mut Migration, n: u8) -> Result<()> {
                    Ok(())
                }
            ),
            "remove these",
        ),
        (
            quote!(
                fn f(&self) -> Result<()> {
                    Ok(())
                }
            ),
            "not a method",
        ),
        (
            quote!(
                fn f(m: &Migration) -> Result<()> {
                    Ok(())
                }
            ),
            "write `&mut Migration`",
        ),
        (
            quote!(
                fn f(c: &mut AnyConnection) -> Result<()> {
                    Ok(())
                }
            ),
            "not `&mut AnyConnection`",
        ),
        (
            quote!(
                fn f(m: &mut Migration) {}
            ),
            "add `-> Result<()>`",
        ),
        (
            quote!(
                fn f(m: &mut Migration) -> usize {
                    0
                }
            ),
            "not `usize`",
        ),
        (
            quote!(
                fn f(m: &mut Migration) -> Result<usize> {
                    Ok(0)
                }
            ),
            "not with a `usize`",
        ),
        (
            quote!(
                fn f(m: &mut Migration) -> Result<(), String> {
                    Ok(())
                }
            ),
            "not `String`",
        ),
    ];
    for (function, expected) in cases {
        let errors = validate_errors(quote!(id = 1, irreversible), function.clone());
        assert!(
            errors.len() == 1 && errors[0].contains(expected),
            "{function}: {errors:?}"
        );
    }
}

#[test]
fn accepted_signatures() {
    let functions = [
        quote!(
            fn f(m: &mut Migration) -> Result<()> {
                Ok(())
            }
        ),
        quote!(
            pub fn f(m: &mut migrate_core::Migration<'_>) -> migrate_core::Result<()> {
                Ok(())
            }
        ),
        quote!(
            fn f(_: &mut Migration) -> std::result::Result<(), Error> {
                Ok(())
            }
        ),
        quote!(
            fn f(m: &mut Migration) -> Result<()> {
                Ok(())
            }
        ),
    ];
    for function in functions {
        let errors = validate_errors(quote!(id = 1, irreversible), function.clone());
        assert!(errors.is_empty(), "{function}: {errors:?}");
    }
}

#[test]
fn the_name_defaults_to_the_function_name_without_raw_prefix() {
    let args = parse_args(quote!(id = 1, irreversible)).unwrap();
    let function: syn::ItemFn = syn::parse2(quote!(
        fn r#type(m: &mut Migration) -> Result<()> {
            Ok(())
        }
    ))
    .unwrap();
    let Ok(plan) = validate::validate(args, &function) else {
        panic!("valid");
    };
    assert_eq!(plan.name, "type");
}

#[test]
fn reversible_names_the_statement_it_cannot_invert() {
    let errors = validate_errors(
        quote!(id = 1, reversible),
        quote! {
            fn f(m: &mut Migration) -> Result<()> {
                add_column!(m, orders.status VARCHAR(20))?;
                m.execute("CREATE INDEX i ON orders (status)")?;
                Ok(())
            }
        },
    );
    assert!(
        errors.len() == 1 && errors[0].contains("raw SQL (`execute`) has no known inverse"),
        "{errors:?}"
    );
    let errors = validate_errors(
        quote!(id = 1, reversible),
        quote!(
            fn f(m: &mut Migration) -> Result<()> {
                Ok(())
            }
        ),
    );
    assert!(
        errors.len() == 1 && errors[0].contains("this body calls none"),
        "{errors:?}"
    );
}

#[test]
fn batched_helpers_need_transaction_false() {
    let body = quote! {
        fn f(m: &mut Migration) -> Result<()> {
            backfill!(m, orders.status = "new")?;
            Ok(())
        }
    };
    let errors = validate_errors(quote!(id = 1, irreversible), body.clone());
    assert!(
        errors.len() == 1 && errors[0].contains("add `transaction = false`"),
        "{errors:?}"
    );
    assert!(validate_errors(quote!(id = 1, irreversible, transaction = false), body).is_empty());
}

#[test]
fn not_a_function_names_what_it_is() {
    let cases: [(syn::Item, &str); 4] = [
        (
            syn::parse_quote!(
                struct AddStatus;
            ),
            "not on a struct",
        ),
        (
            syn::parse_quote!(
                enum E {
                    A,
                }
            ),
            "not on an enum",
        ),
        (
            syn::parse_quote!(
                const C: u8 = 1;
            ),
            "not on a const",
        ),
        (syn::parse_quote!(impl Orders {}), "not on an impl block"),
    ];
    for (item, expected) in cases {
        let message = signature::not_a_function(&item).to_string();
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn an_invalid_migration_keeps_its_function_without_rejected_qualifiers() {
    let output = super::expand(
        quote!(id = 1, irreversible),
        quote!(
            async fn add_status(m: &mut Migration) -> Result<()> {
                Ok(())
            }
        ),
    );
    let file: syn::File = syn::parse2(output).unwrap();
    let [syn::Item::Fn(function), syn::Item::Macro(error)] = file.items.as_slice() else {
        panic!(
            "expected the function then the error: {:?}",
            file.items.len()
        );
    };
    assert_eq!(function.sig.ident, "add_status");
    assert!(function.sig.asyncness.is_none());
    assert!(
        error
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "compile_error")
    );
}

#[test]
fn expansion_with_a_down_function() {
    insta::assert_snapshot!(expansion(quote!(id = 11, down = drop_status), add_status()));
}

#[test]
fn expansion_irreversible_with_every_other_key() {
    insta::assert_snapshot!(expansion(
        quote!(
            id = 12,
            name = "status_column",
            irreversible,
            transaction = false
        ),
        add_status()
    ));
}

#[test]
fn expansion_reversible() {
    insta::assert_snapshot!(expansion(
        quote!(id = 13, reversible),
        quote! {
            /// Rename a column.
            fn rename_total(m: &mut Migration) -> Result<()> {
                rename_column!(m, orders.total_cents => amount_cents)?;
                Ok(())
            }
        }
    ));
}

#[test]
fn expansion_of_an_invalid_migration() {
    insta::assert_snapshot!(expansion(quote!(id = 0, irreversible), add_status()));
}
