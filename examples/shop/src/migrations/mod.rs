//! The shop's migrations, one module per migration, ordered by id.

migrate_core::migration_set! {
    /// Every migration of the shop.
    pub static MIGRATIONS;
}

mod m0001_create_users;
mod m0002_create_customers;
mod m0003_create_orders;
mod m0004_index_orders_customer;
mod m0005_split_full_name;
mod m0006_add_created_year;
mod m0007_denormalize_customer_name;
mod m0008_categorize_users_by_age;
mod m0009_compute_user_score;
mod m0010_backfill_order_status;
