//! Writes the 1000 trivial migrations of the runner-overhead benchmark into `OUT_DIR`.

use std::fmt::Write as _;

/// As many as `src/trivial.rs` expects.
const COUNT: u32 = 1000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut code = String::new();
    for n in 1..=COUNT {
        writeln!(
            code,
            "/// Creates table `bench_t{n}`.\n\
             #[migration(id = {n}, irreversible)]\n\
             fn create_t{n}(m: &mut Migration) -> Result<()> {{\n    \
             m.execute(\"CREATE TABLE bench_t{n} (id INTEGER)\")?;\n    Ok(())\n}}\n"
        )?;
    }
    let out = std::env::var("OUT_DIR")?;
    std::fs::write(format!("{out}/trivial_migrations.rs"), code)?;
    println!("cargo::rerun-if-changed=build.rs");
    Ok(())
}
