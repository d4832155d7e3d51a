//! The canonical text of a token stream, which the migration checksum is computed from.
//!
//! Hashing `TokenStream::to_string()` would tie checksums to how a compiler release prints
//! tokens. This text depends only on the tokens themselves: identifiers, literals as written,
//! punctuation characters and delimiters. Whitespace and ordinary comments are not tokens, and
//! punctuation spacing (joint or alone) is left out because it records whitespace too (`m:&mut`
//! against `m: &mut`), so reformatting a migration does not change its checksum.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Appends the canonical text of `tokens` to `out`.
pub fn canonical_text(tokens: TokenStream, out: &mut String) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                out.push_str(&ident.to_string());
                out.push(' ');
            }
            TokenTree::Literal(literal) => {
                out.push_str(&literal.to_string());
                out.push(' ');
            }
            TokenTree::Punct(punct) => out.push(punct.as_char()),
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                canonical_text(group.stream(), out);
                out.push_str(close);
                out.push(' ');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn text(tokens: TokenStream) -> String {
        let mut out = String::new();
        canonical_text(tokens, &mut out);
        out
    }

    #[test]
    fn formatting_does_not_matter() {
        let a: TokenStream = "fn f(m: &mut Migration) -> Result<()> { m.execute(\"x\")?; Ok(()) }"
            .parse()
            .unwrap();
        let b: TokenStream =
            "fn f(m:&mut Migration)->Result<()>{\n  // comment\n  m.execute(\"x\")?;\n  Ok(())\n}"
                .parse()
                .unwrap();
        assert_eq!(text(a), text(b));
    }

    #[test]
    fn tokens_do_matter() {
        assert_ne!(text(quote!(a + b)), text(quote!(a - b)));
        assert_ne!(text(quote!(x("a"))), text(quote!(x("b"))));
        assert_eq!(text(quote!(a::b)), "a ::b ");
    }
}
