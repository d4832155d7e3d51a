//! `unchecked!("...")`: the documented way past the compile-time SQL check, for a statement no
//! parser here can follow. The text stays a literal in the function, so the migration's checksum
//! still covers it.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::LitStr;

/// Expands `unchecked!("sql")` to the literal itself.
pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let sql: LitStr = syn::parse2(input.clone()).map_err(|_| {
        syn::Error::new_spanned(
            &input,
            "`unchecked!` takes one string literal, as in `unchecked!(\"DO $$ BEGIN ... END $$\")`: the text is written in the migration so that its checksum covers it",
        )
    })?;
    if sql.value().trim().is_empty() {
        return Err(syn::Error::new(
            sql.span(),
            "this SQL holds no statement: write one",
        ));
    }
    Ok(sql.into_token_stream())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn a_literal_stays_a_literal_and_anything_else_is_refused() {
        let sql = expand(quote!("DO $$ BEGIN NULL; END $$")).expect("a literal");
        assert_eq!(
            sql.to_string(),
            quote!("DO $$ BEGIN NULL; END $$").to_string()
        );
        assert!(expand(quote!(format!("x"))).is_err());
        assert!(expand(quote!("  ")).is_err());
    }
}
