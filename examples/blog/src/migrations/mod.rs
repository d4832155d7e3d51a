//! The blog's migrations: the SQL directory Diesel used to run (`migrations/`, ids from its
//! timestamp versions), then Rust migrations with timestamp ids, which order after it.

migrate_core::migration_set! {
    /// Every migration of the blog.
    pub static MIGRATIONS;
}

migrate_core::embed_diesel_migrations!("migrations");

mod m20250301090000_add_posts_title_length;
