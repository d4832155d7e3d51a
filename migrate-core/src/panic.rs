//! Panics in migration code, turned into errors.
//!
//! A migration that panics must not unwind past its transaction or its history record: the
//! panic becomes an [`Error`], so the transaction rolls back and the history is updated as for any
//! other failure.

use crate::error::{Error, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`, turning a panic into [`Error::Panicked`].
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic payload".to_owned());
        Err(Error::Panicked(message))
    })
}
