//! Rebuild when a migration directory is added, not only when an embedded file changes (as
//! `diesel_migrations` advises for `embed_migrations!`).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
