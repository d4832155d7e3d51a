//! Hiding credentials in text, by what a credential is rather than by the shape of one URL: the
//! user information of a URL-like token (up to the last `@` of its authority) and whatever
//! follows a `password=` key (query parameters, libpq keyword strings, quoted or not).

/// URL schemes of databases: a token `scheme:user:password@host` of one of these (without `//`)
/// or any `scheme://user:password...` is taken for a URL even when its password holds a space.
const DATABASE_SCHEMES: [&str; 7] = [
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "sqlite",
    "sqlite3",
    "file",
];

/// Keys whose value is a password, as in `?password=...` or libpq's `password='...'`; matched
/// case-insensitively at the end of a key, so `db_password=` and `PGPASSWORD=` count too.
const PASSWORD_KEYS: [&str; 3] = ["password", "passwd", "pwd"];

/// What replaces a hidden secret.
const HIDDEN: &str = "***";

/// Hides every credential in `text`: the password of every URL-like token
/// (`scheme:[//]user:password@host...`, the password running to the *last* `@` of the token,
/// and over spaces when a `scheme://user:` token has no `@`), and the value of every
/// `password=` key (to the next `&`, space or quote; all of a quoted value).
///
/// Use it on any text that may echo what a user configured: error messages of URL and argument
/// parsers, lines of a `.env` file, log lines. At worst it hides more than the password (part
/// of a host), never less.
///
/// ```
/// use migrate_core::redact_credentials;
/// assert_eq!(
///     redact_credentials("invalid URL `postgres://app:Pa#ss/w@db/shop`"),
///     "invalid URL `postgres://app:***@db/shop`"
/// );
/// assert_eq!(redact_credentials("mysql:root:S3cret@db/x"), "mysql:root:***@db/x");
/// assert_eq!(
///     redact_credentials("host=db user=app password='my s3cret' dbname=shop"),
///     "host=db user=app password='***' dbname=shop"
/// );
/// assert_eq!(
///     redact_credentials("postgres://app@db/shop?sslmode=require&password=S3cret"),
///     "postgres://app@db/shop?sslmode=require&password=***"
/// );
/// assert_eq!(redact_credentials("no secret: here"), "no secret: here");
/// ```
pub fn redact_credentials(text: &str) -> String {
    redact_password_keys(&redact_userinfo(text))
}

/// Whether `c` ends a token: whitespace and the quotes messages put around values.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '`' | '\'' | '"')
}

/// The password of every URL-like token hidden.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !is_delimiter(c)) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(is_delimiter).unwrap_or(rest.len());
        let token = &rest[..end];
        match hidden_span(token, &rest[end..]) {
            Some((from, to)) => {
                out.push_str(&rest[..from]);
                out.push_str(HIDDEN);
                rest = &rest[to..];
            }
            None => {
                out.push_str(token);
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the password of `token` (followed in the text by `after`) starts and ends, counted from
/// the start of `token`: from the `:` after the user name to the last `@` of the token, or, for
/// a URL whose token has no `@` (a password with a space), to the last `@` of the line.
fn hidden_span(token: &str, after: &str) -> Option<(usize, usize)> {
    let colon = token.find(':')?;
    let scheme_start = token[..colon]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .map_or(0, |i| i + 1);
    let scheme = &token[scheme_start..colon];
    if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after_scheme = &token[colon + 1..];
    let slashes = after_scheme.len() - after_scheme.trim_start_matches('/').len();
    let userinfo_start = colon + 1 + slashes;
    if let Some(at) = token.rfind('@').filter(|at| *at >= userinfo_start) {
        let userinfo = &token[userinfo_start..at];
        return match userinfo.find(':') {
            Some(user_end) => Some((userinfo_start + user_end + 1, at)),
            // `scheme:secret@host` (no user name) may still be a password: hide it.
            None if slashes == 0 && !userinfo.is_empty() => Some((userinfo_start, at)),
            None => None,
        };
    }
    // No `@` in the token: a URL whose password holds a space, as in
    // `postgres://app:my secret@db/shop`, continues on the line.
    let is_url = slashes >= 2 || DATABASE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str());
    let user_end = token[userinfo_start..].find(':')? + userinfo_start;
    if !is_url || token[userinfo_start..user_end].contains('/') {
        return None;
    }
    let line = &after[..after
        .find(['\n', '\r', '`', '\'', '"'])
        .unwrap_or(after.len())];
    let at = line.rfind('@')?;
    Some((user_end + 1, token.len() + at))
}

/// The value of every `password=` key hidden.
fn redact_password_keys(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some((key_end, _)) = next_key(&lower, search) {
        // `=` after the key, spaces allowed around it (libpq's `password = 'x'`).
        let after_key = &text[key_end..];
        let spaces = after_key.len() - after_key.trim_start_matches([' ', '\t']).len();
        let Some(value) = after_key[spaces..].strip_prefix('=') else {
            search = key_end;
            continue;
        };
        let eq_end = key_end + spaces + 1;
        let value_spaces = value.len() - value.trim_start_matches([' ', '\t']).len();
        let value_start = eq_end + value_spaces;
        let (from, to) = value_span(text, value_start);
        out.push_str(&text[copied..from]);
        if to > from {
            out.push_str(HIDDEN);
        }
        copied = to;
        search = to.max(value_start);
    }
    out.push_str(&text[copied..]);
    out
}

/// The next password key at or after `from` in `lower`: where it ends, and which key it is.
fn next_key(lower: &str, from: usize) -> Option<(usize, &'static str)> {
    PASSWORD_KEYS
        .iter()
        .filter_map(|key| {
            lower[from..]
                .find(key)
                .map(|i| (from + i + key.len(), *key))
        })
        .min_by_key(|(end, key)| (*end - key.len(), usize::MAX - key.len()))
}

/// The span of the value starting at `start`: inside its quotes when quoted (a backslash escapes
/// the next character, as in libpq), else up to the next space, `&`, `;` or quote.
fn value_span(text: &str, start: usize) -> (usize, usize) {
    let value = &text[start..];
    let Some(quote) = value.chars().next().filter(|c| matches!(c, '\'' | '"')) else {
        let end = value
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | '`' | '\'' | '"'))
            .unwrap_or(value.len());
        return (start, start + end);
    };
    let mut escaped = false;
    for (i, c) in value.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return (start + 1, start + i),
            _ => {}
        }
    }
    // No closing quote: hide the rest.
    (start + 1, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ss9word";

    #[test]
    fn hides_the_password_of_every_url_shape() {
        let cases = [
            "postgres://postgres:Pa#ss9word@127.0.0.1/db",
            "postgres://postgres:Pa/ss9word@127.0.0.1/db",
            "postgres://postgres:Pa?ss9word@127.0.0.1/db",
            "postgres://postgres:Pa@ss9word@127.0.0.1/db",
            "postgres://u:Sup3r@Pa@ss9word@127.0.0.1:5432/db",
            "postgres://postgres:Pa ss9word@127.0.0.1/db",
            "postgres://postgres:Pa  ss9 word@127.0.0.1/db",
            "postgres://postgres:Pa ss9word@w@127.0.0.1/db",
            "postgres:postgres:Pa9ss9word@127.0.0.1/x",
            "mysql:root:Pa9ss9word@127.0.0.1/x",
            "mysql:root:Pa ss9word@127.0.0.1/x",
            "mysql://root:Pa9ss9word@:3306/db",
            "mariadb://root:Pa9ss9word@127.0.0.1:99999/db",
            "postgres://u:Pa9ss9word@h:notaport/db",
            "sqlite://u:Pa9ss9word@/tmp/x.db",
            "postgres://u@h/db?password=Pa9ss9word",
            "postgres://u@h/db?sslmode=disable&password=Pa9ss9word&x=1",
            "mysql://u@h/db?PASSWORD=Pa9ss9word#frag",
            "host=127.0.0.1 user=postgres password=Pa9ss9word dbname=x",
            "host=127.0.0.1 password = 'Pa ss9word' dbname=x",
            "host=127.0.0.1 password='Pa\\'ss9word' dbname=x",
            "password=\"Pa ss9word\"",
            "PGPASSWORD=Pa9ss9word",
        ];
        for raw in cases {
            for text in [
                raw.to_owned(),
                format!("error: unexpected argument '{raw}' found"),
                format!("connecting url={raw} attempt=1"),
                format!("invalid URL `{raw}`: invalid port"),
                format!("could not translate host name \"{raw}\"\n  next line"),
            ] {
                let redacted = redact_credentials(&text);
                assert!(!redacted.contains(SECRET), "{text}\n=> {redacted}");
                assert!(!redacted.contains("ss9 word"), "{text}\n=> {redacted}");
            }
        }
    }

    #[test]
    fn keeps_what_is_not_a_secret() {
        assert_eq!(
            redact_credentials("`postgres://postgres:Pa#ss9word@127.0.0.1/db`: invalid port"),
            "`postgres://postgres:***@127.0.0.1/db`: invalid port"
        );
        assert_eq!(
            redact_credentials("connecting url=postgres://app:my secret@db/shop attempt=1"),
            "connecting url=postgres://app:***@db/shop attempt=1"
        );
        assert_eq!(
            redact_credentials("postgres://u:a@b@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            redact_credentials("password='' host=x"),
            "password='' host=x"
        );
        for plain in [
            "sqlite:///tmp/a.db",
            "error: x",
            "time 12:30:00",
            "a@b",
            "user@host",
            "postgres://u@h/db and mail admin@example.com",
            "the password is wrong",
            "migrate resolve 2 --retry: see a@b",
        ] {
            assert_eq!(redact_credentials(plain), plain);
        }
    }
}
