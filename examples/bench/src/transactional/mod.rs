//! The transactional baseline: a copy of the shop's migrations 5–10 as they were before issue 10
//! made them online (commit 2ddc9c4 of `examples/shop/src/migrations`), so that the benchmark
//! can run today's form and the shop's current form on the same data in one run.
//!
//! 5–8 run in one transaction each; 9–10 were already `transaction = false`, since their batched
//! helpers commit batch by batch. The copy has its own history table ([`HISTORY`]): it runs on a
//! database whose migrations 1–4 the shop's set applied (recorded in the default history table),
//! and records 5–10 apart, so neither set sees the other's migrations as unknown or missing.
//! Reverting all of this set (`down --to 0` on [`HISTORY`]) is the shop's `down --to 4`.

migrate_core::migration_set! {
    /// Migrations 5–10 in their transactional form.
    pub static MIGRATIONS;
}

/// The history table of this set.
pub const HISTORY: &str = "bench_transactional_history";

mod m0005_split_full_name;
mod m0006_add_created_year;
mod m0007_denormalize_customer_name;
mod m0008_categorize_users_by_age;
mod m0009_compute_user_score;
mod m0010_backfill_order_status;
