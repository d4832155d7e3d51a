//! The compile-fail suite: every file under `ui/fail/<category>/` is a malformed migration that
//! must not compile, and its `.stderr` holds the exact messages the user sees; every file under
//! `ui/pass/` is an accepted form that must compile and run.
//!
//! The `.stderr` files include rustc's own wording around the macros' messages. The toolchain is
//! pinned in `rust-toolchain.toml`, so that wording only changes with a deliberate toolchain
//! upgrade, which then shows as a clear diff of these files. Regenerate them with
//! `TRYBUILD=overwrite cargo test -p migrate-tests --test compiletest` and read every diff.
//!
//! Cases are built against this package's dependencies, with all three dialects enabled. The
//! fail cases cost little each (they stop at the macro's error); each pass case is a binary that
//! trybuild compiles and links, so keep one accepted form per file rather than near-duplicates.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*/*.rs");
}
