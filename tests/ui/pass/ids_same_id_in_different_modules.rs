use migrate_core::prelude::*;

// Compiles: ids across modules are checked when the registry is built (`migrate check`).
mod first {
    use super::*;

    #[migration(id = 7, irreversible)]
    fn one(m: &mut Migration) -> Result<()> {
        m.execute("CREATE TABLE one (id INTEGER)")?;
        Ok(())
    }
}

mod second {
    use super::*;

    #[migration(id = 7, irreversible)]
    fn two(m: &mut Migration) -> Result<()> {
        m.execute("CREATE TABLE two (id INTEGER)")?;
        Ok(())
    }
}

fn main() {}
