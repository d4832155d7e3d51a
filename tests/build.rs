//! Rebuild the fixtures when a Diesel migration directory is added (`embed_diesel_migrations!`
//! and `embed_migrations!` see new directories only when the crate is rebuilt).

fn main() {
    println!("cargo:rerun-if-changed=fixtures/diesel");
}
