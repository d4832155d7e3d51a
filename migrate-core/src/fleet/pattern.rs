//! Name patterns for tenants: `*` matches any run of characters, `?` one character, everything
//! else itself (case-sensitive). The same rules for schemas, databases and file names, matched
//! here rather than by each server's `LIKE` (whose `_` would match any character).

use crate::error::{Error, Result};

/// A parsed name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NamePattern {
    text: String,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Any,
    One,
    Char(char),
}

impl NamePattern {
    /// Parses `text`; an empty pattern names nothing and is refused.
    pub(crate) fn parse(text: &str, what: &str) -> Result<NamePattern> {
        if text.trim().is_empty() {
            return Err(Error::Configuration {
                message: format!("the pattern of {what} is empty"),
                hint: "give a pattern such as `tenant_*` (`*` matches any characters, `?` one)"
                    .into(),
            });
        }
        let pieces = text
            .chars()
            .map(|c| match c {
                '*' => Piece::Any,
                '?' => Piece::One,
                c => Piece::Char(c),
            })
            .collect();
        Ok(NamePattern {
            text: text.to_owned(),
            pieces,
        })
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `name` matches the whole pattern.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        // Classic wildcard matching with one backtrack point (the last `*`): linear in practice.
        let (mut p, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.pieces.get(p) {
                Some(Piece::Any) => {
                    star = Some((p, n));
                    p += 1;
                }
                Some(Piece::One) => {
                    p += 1;
                    n += 1;
                }
                Some(Piece::Char(c)) if *c == name[n] => {
                    p += 1;
                    n += 1;
                }
                _ => match star {
                    Some((star_p, star_n)) => {
                        p = star_p + 1;
                        n = star_n + 1;
                        star = Some((star_p, star_n + 1));
                    }
                    None => return false,
                },
            }
        }
        self.pieces[p..].iter().all(|piece| *piece == Piece::Any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, name: &str) -> bool {
        NamePattern::parse(pattern, "test").unwrap().matches(name)
    }

    #[test]
    fn wildcards() {
        assert!(matches("tenant_*", "tenant_1"));
        assert!(matches("tenant_*", "tenant_"));
        assert!(
            !matches("tenant_*", "tenantx1"),
            "`_` is itself, not LIKE's any character"
        );
        assert!(!matches("tenant_*", "other_tenant_1"));
        assert!(matches("*_eu", "shop_eu"));
        assert!(matches("t?", "t1"));
        assert!(!matches("t?", "t12"));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("*a*b", "xxaxxbxxc"));
        assert!(matches("ünï_*", "ünï_çödé"));
        assert!(!matches("Tenant_*", "tenant_1"), "case-sensitive");
        assert!(matches("*", ""));
    }

    #[test]
    fn an_empty_pattern_is_refused() {
        let err = NamePattern::parse(" ", "schemas").unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
    }
}
