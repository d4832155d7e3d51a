use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_every_type(m: &mut Migration) -> Result<()> {
    add_column!(m, t.a SMALLINT)?;
    add_column!(m, t.b INTEGER)?;
    add_column!(m, t.c INT)?;
    add_column!(m, t.d BIGINT)?;
    add_column!(m, t.e DOUBLE)?;
    add_column!(m, t.f DOUBLE PRECISION)?;
    add_column!(m, t.g REAL)?;
    add_column!(m, t.h DECIMAL(10, 2))?;
    add_column!(m, t.i NUMERIC(5, 0))?;
    add_column!(m, t.j BOOLEAN)?;
    add_column!(m, t.k VARCHAR(255))?;
    add_column!(m, t.l TEXT)?;
    add_column!(m, t.n DATE)?;
    add_column!(m, t.o TIMESTAMP)?;
    add_column!(m, t.p DATETIME)?;
    add_column!(m, t.q varchar(10))?;
    add_column!(m, t.r TIMESTAMPTZ)?;
    add_column!(m, t.s TIMESTAMP WITH TIME ZONE)?;
    add_column!(m, t.u TIMESTAMP WITHOUT TIME ZONE)?;
    add_column!(m, t.v TIME)?;
    add_column!(m, t.w JSON)?;
    add_column!(m, t.x JSONB)?;
    add_column!(m, t.y UUID)?;
    add_column!(m, t.z BYTEA)?;
    add_column!(m, app.t.a2 INTEGER)?;
    Ok(())
}

fn main() {}
