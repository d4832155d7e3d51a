//! The one way the macros report several problems at once: [`Errors`] collects them, in the
//! order found, and they reach the user together (serde's `Ctxt`, diesel's attribute parser).

use proc_macro2::Span;

/// Several errors reported together.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds one.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `Ok` if none was added, else all of them.
    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }

    /// The errors, when the caller knows some were pushed.
    pub fn into_error(self) -> syn::Error {
        self.0
            .unwrap_or_else(|| syn::Error::new(Span::call_site(), "this macro call is invalid"))
    }
}
