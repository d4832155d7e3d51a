use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn compute_flags(m: &mut Migration) -> Result<()> {
    add_column!(m, accounts.is_active BOOLEAN)?;
    add_column!(m, accounts.level SMALLINT)?;
    add_column!(m, accounts.ratio REAL)?;
    add_column!(m, accounts.total BIGINT)?;
    transform_rows!(m, accounts,
        |last_login_days: Option<i32>, r#type: String, balance: i64, premium: bool| -> (is_active: bool, level: i16, ratio: f32, total: i64) {
            let active = last_login_days.is_some_and(|d| d < 30);
            let level = if premium { 2 } else if r#type == "business" { 1 } else { 0 };
            (active, level, 0.5, balance * 2)
        },
        key = account_id, batch_rows = 1000, target_ms = 50, pause_ms = 0)?;
    Ok(())
}

fn main() {}
