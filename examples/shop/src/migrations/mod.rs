//! The shop's migrations, one module per migration, ordered by id.

migrate_core::migration_set! {
    /// Every migration of the shop.
    pub static MIGRATIONS;
}

mod m0001_create_users;
mod m0002_create_customers;
mod m0003_create_orders;
mod m0004_index_orders_customer;
