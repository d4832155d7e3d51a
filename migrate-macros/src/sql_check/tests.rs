//! The checks against what the real databases do: every row was run on PostgreSQL 15, MariaDB
//! 10.11 and SQLite 3.40 (after `CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, status
//! VARCHAR(20))`, `u (id INT PRIMARY KEY, b INT)`, `orders (id INT PRIMARY KEY, status
//! VARCHAR(20), a INT)`, `posts (id INT PRIMARY KEY, title TEXT, body TEXT)`, `users (id INT
//! PRIMARY KEY, email VARCHAR(100))` and `CREATE INDEX ix ON t (b)`), and the columns say whether
//! each accepted it.

use super::*;
use migrate_sql::Dialect::{Mysql, Postgres, Sqlite};

/// (PostgreSQL accepts, MariaDB accepts, SQLite accepts, statement)
const MEASURED: &[(bool, bool, bool, &str)] = &[
    (
        false,
        true,
        false,
        "ALTER TABLE orders MODIFY COLUMN status VARCHAR(40)",
    ),
    (
        true,
        false,
        false,
        "ALTER TABLE orders ALTER COLUMN status SET NOT NULL",
    ),
    (
        true,
        false,
        true,
        "INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
    ),
    (
        false,
        true,
        false,
        "INSERT INTO t (id) VALUES (1) ON DUPLICATE KEY UPDATE a = 2",
    ),
    (
        true,
        false,
        false,
        "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)",
    ),
    (
        true,
        true,
        false,
        "ALTER TABLE t ADD COLUMN c INT, ADD COLUMN d INT",
    ),
    (false, true, true, "UPDATE t SET a = 1 LIMIT 10"),
    (
        false,
        true,
        false,
        "CREATE TABLE n (id INTEGER PRIMARY KEY AUTO_INCREMENT)",
    ),
    (
        false,
        false,
        true,
        "CREATE TABLE n (id INTEGER PRIMARY KEY AUTOINCREMENT)",
    ),
    (
        true,
        false,
        false,
        r#"DO $$ BEGIN RAISE NOTICE 'x'; END $$"#,
    ),
    (
        false,
        true,
        false,
        "CREATE TRIGGER trg BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email)",
    ),
    (
        false,
        true,
        false,
        "CREATE FULLTEXT INDEX ft ON posts (body)",
    ),
    (
        false,
        false,
        true,
        r#"CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id')"#,
    ),
    (true, false, true, "DROP INDEX ix"),
    (false, true, false, "DROP INDEX ix ON t"),
    (true, true, true, "ALTER TABLE t RENAME COLUMN a TO c"),
    (
        true,
        false,
        false,
        "ALTER TABLE t ALTER COLUMN a TYPE BIGINT",
    ),
    (
        true,
        true,
        false,
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1",
    ),
    (false, true, false, "ALTER TABLE t CHANGE COLUMN a c INT"),
    (
        true,
        true,
        false,
        "ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)",
    ),
    (true, true, true, "ALTER TABLE t RENAME TO n"),
    (false, true, true, "DELETE FROM t LIMIT 10"),
    (true, true, true, "CREATE TABLE n (id SERIAL PRIMARY KEY)"),
    (
        true,
        false,
        true,
        "CREATE TABLE n (id BIGSERIAL PRIMARY KEY)",
    ),
    (true, false, true, "CREATE TABLE n (a JSONB)"),
    (false, true, false, "CREATE TABLE n (a INT) ENGINE=InnoDB"),
    (
        true,
        true,
        true,
        "INSERT INTO t (id) VALUES (1) RETURNING id",
    ),
    (
        false,
        false,
        true,
        "INSERT OR IGNORE INTO t (id) VALUES (1)",
    ),
    (false, true, false, "INSERT IGNORE INTO t (id) VALUES (1)"),
    (false, true, true, "REPLACE INTO t (id) VALUES (1)"),
    (
        true,
        false,
        false,
        r#"CREATE INDEX n_idx ON posts USING gin (to_tsvector('english', body))"#,
    ),
    (
        true,
        false,
        false,
        "CREATE INDEX n_idx ON t USING btree (a)",
    ),
    (
        false,
        true,
        false,
        "CREATE INDEX n_idx USING BTREE ON t (a)",
    ),
    (
        false,
        true,
        false,
        "CREATE INDEX n_idx ON t (a) USING BTREE",
    ),
    (
        true,
        false,
        true,
        "CREATE INDEX n_idx ON users (lower(email))",
    ),
    (
        false,
        true,
        false,
        "CREATE INDEX n_idx ON users (email(10))",
    ),
    (false, true, false, r#"CREATE TABLE n (m ENUM('a','b'))"#),
    (
        true,
        false,
        true,
        "UPDATE t SET a = u.b FROM u WHERE t.id = u.id",
    ),
    (
        false,
        true,
        false,
        "UPDATE t JOIN u ON t.id = u.id SET t.a = u.b",
    ),
    (false, true, true, "CREATE TABLE n (a INT UNSIGNED)"),
    (
        true,
        false,
        true,
        "CREATE TABLE n (a TIMESTAMP WITH TIME ZONE)",
    ),
    (true, false, true, "CREATE TABLE n (a TIMESTAMPTZ)"),
    (false, true, true, "CREATE TABLE n (a DATETIME)"),
    (
        true,
        false,
        false,
        "CREATE TABLE n (a INT GENERATED ALWAYS AS IDENTITY)",
    ),
    (
        true,
        true,
        true,
        "CREATE TABLE n (a INT, b INT GENERATED ALWAYS AS (a + 1) STORED)",
    ),
    (
        false,
        false,
        true,
        "CREATE TABLE n (a INT PRIMARY KEY) WITHOUT ROWID",
    ),
    (false, false, true, "CREATE TABLE n (a INT) STRICT"),
    (false, true, false, "ALTER TABLE t ADD INDEX n_idx (a)"),
    (false, true, false, "ALTER TABLE t DROP INDEX ix"),
    (false, true, false, "RENAME TABLE t TO n"),
    (true, false, false, "ALTER INDEX ix RENAME TO n_idx"),
    (
        false,
        false,
        true,
        "CREATE TRIGGER trg AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END",
    ),
    (true, false, true, "CREATE TABLE n (a VARCHAR)"),
    (false, true, true, "CREATE TABLE n (a TINYINT)"),
    (false, true, true, "CREATE TABLE n (a DOUBLE)"),
    (true, true, true, "CREATE TABLE n (a DOUBLE PRECISION)"),
    (true, false, true, "CREATE TABLE n (a BYTEA)"),
    (false, true, true, "CREATE TABLE n (a BLOB)"),
    (false, true, true, "CREATE TABLE n (a LONGTEXT)"),
    (true, true, true, "CREATE TABLE n (a UUID)"),
    (true, true, true, "CREATE TABLE n (a BOOLEAN)"),
    (true, true, true, "CREATE TABLE n (a CHARACTER VARYING(10))"),
    (
        false,
        true,
        true,
        r#"CREATE TABLE n (a INTEGER, b TEXT COMMENT 'x')"#,
    ),
    (
        false,
        true,
        false,
        "CREATE TABLE n (a TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
    ),
    (true, true, true, "CREATE TABLE n (a INT CHECK (a > 0))"),
    (
        true,
        true,
        true,
        "CREATE TABLE n (id INT PRIMARY KEY, t_id INT REFERENCES t (id))",
    ),
    (true, false, false, r#"SELECT 1 WHERE 'a' ILIKE 'A'"#),
    (true, true, false, "ALTER TABLE t ADD COLUMN c INT UNIQUE"),
    (
        true,
        true,
        true,
        "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0",
    ),
    (true, true, false, "ALTER TABLE t DROP COLUMN IF EXISTS a"),
    (true, true, false, "DROP TABLE t CASCADE"),
    (true, true, false, "DROP TABLE t, u"),
    (true, true, true, "DROP TABLE IF EXISTS nope"),
    (false, true, true, "CREATE VIEW IF NOT EXISTS w AS SELECT 1"),
    (true, true, false, "CREATE OR REPLACE VIEW w AS SELECT 1"),
    (
        true,
        true,
        true,
        "DELETE FROM t WHERE id IN (SELECT id FROM u)",
    ),
    (true, false, true, "UPDATE t SET a = 1 RETURNING id"),
    (true, true, true, "DELETE FROM t RETURNING id"),
    (
        true,
        false,
        false,
        "CREATE TABLE n (a INT) WITH (fillfactor = 70)",
    ),
    (
        true,
        false,
        false,
        "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.b",
    ),
    (true, true, false, "CREATE SCHEMA s2"),
    (false, false, true, "PRAGMA foreign_keys = ON"),
    (
        true,
        true,
        true,
        "INSERT INTO t (id, a) SELECT id, b FROM u",
    ),
    (true, true, true, "CREATE UNIQUE INDEX n_idx ON t (a, b)"),
    (true, true, true, "CREATE INDEX n_idx ON t (a DESC)"),
];

#[test]
fn each_statement_compiles_exactly_for_the_databases_that_run_it() {
    let mut wrong = Vec::new();
    for &(postgres, mysql, sqlite, sql) in MEASURED {
        for (dialect, accepted) in [(Postgres, postgres), (Mysql, mysql), (Sqlite, sqlite)] {
            let result = check(dialect, sql);
            if result.is_ok() != accepted {
                wrong.push(format!(
                    "{dialect:?} {sql}: expected accepted={accepted}, got {result:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
