//! The one path every text the command prints goes through: output lines, errors, warnings,
//! log lines and the argument parser's messages are written only after
//! [`migrate_core::redact_credentials`] and the configured URL's own password have been hidden
//! in them, so a secret given anywhere (to `--database-url`, to another argument by mistake, in
//! `.env`) is never printed.

use migrate_core::DatabaseUrl;
use std::io::Write;
use std::sync::Mutex;

/// The URLs this run was configured with: their passwords are hidden wherever they appear, in
/// any shape a client library may echo them.
static CONFIGURED: Mutex<Vec<DatabaseUrl>> = Mutex::new(Vec::new());

/// Remembers `url`, so that its password is hidden from everything printed afterwards.
pub fn remember(url: &DatabaseUrl) {
    let mut configured = CONFIGURED.lock().unwrap_or_else(|e| e.into_inner());
    if !configured.contains(url) {
        configured.push(url.clone());
    }
}

/// `text` with every credential hidden.
pub fn redact(text: &str) -> String {
    let configured = CONFIGURED.lock().unwrap_or_else(|e| e.into_inner());
    match configured.as_slice() {
        [] => migrate_core::redact_credentials(text),
        urls => urls
            .iter()
            .fold(text.to_owned(), |text, url| url.redact(&text)),
    }
}

/// A `tracing` writer to stderr that hides credentials: each log line is collected and written
/// redacted when the subscriber is done with it.
#[derive(Default)]
pub struct RedactedStderr {
    line: Vec<u8>,
}

impl Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = redact(&String::from_utf8_lossy(&self.line));
        self.line.clear();
        std::io::stderr().lock().write_all(text.as_bytes())
    }
}

impl Drop for RedactedStderr {
    fn drop(&mut self) {
        // Logging must not stop the command: a line that cannot be written is lost.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_the_configured_password_in_any_shape() {
        let url: DatabaseUrl = "postgres://u:Sup3r@S3cretPw@127.0.0.1/db".parse().unwrap();
        remember(&url);
        let text =
            redact("could not translate host name \"S3cretPw@127.0.0.1\"; tried Sup3r@S3cretPw");
        assert!(!text.contains("S3cretPw"), "{text}");
        assert!(!text.contains("Sup3r"), "{text}");
        let text = redact("--history-table mysql://root:Pa9ss@db/x");
        assert!(!text.contains("Pa9ss"), "{text}");
    }
}
