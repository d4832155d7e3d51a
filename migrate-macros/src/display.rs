//! Rust syntax shown in error messages as a user writes it.

use quote::ToTokens;

/// A type as a user writes it (`&mut Conn`, `Result<usize>`), not with token spacing
/// (`& mut Conn`, `Result < usize >`).
pub fn type_text(ty: &syn::Type) -> String {
    let spaced = ty.to_token_stream().to_string();
    let mut text = String::with_capacity(spaced.len());
    let mut chars = spaced.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let previous = text.chars().last();
        let drop_space = c == ' '
            && (matches!(previous, Some('&' | '<' | '(' | '[' | '\'' | ':'))
                || matches!(next, Some('<' | '>' | ',' | ')' | ']' | ':')));
        if !drop_space {
            text.push(c);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn types_read_as_written() {
        let cases: [(syn::Type, &str); 5] = [
            (parse_quote!(&mut AnyConnection), "&mut AnyConnection"),
            (parse_quote!(&'a mut Migration<'a>), "&'a mut Migration<'a>"),
            (
                parse_quote!(std::result::Result<(), String>),
                "std::result::Result<(), String>",
            ),
            (parse_quote!((i32, i64)), "(i32, i64)"),
            (parse_quote!(Vec<Option<u8>>), "Vec<Option<u8>>"),
        ];
        for (ty, expected) in cases {
            assert_eq!(type_text(&ty), expected);
        }
    }
}
