//! Finding the tenants of a fleet on one server: the schemas of a PostgreSQL database and the
//! databases of a MySQL/MariaDB server (column `v`), the server's own left out. The pattern is
//! matched by the runtime, so that it means the same on every database.

/// PostgreSQL: the schemas of the database, without the system's (`pg_*`, `information_schema`).
pub const POSTGRES_SCHEMAS: &str = "SELECT CAST(nspname AS TEXT) AS v FROM pg_namespace \
     WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname";

/// MySQL/MariaDB: the databases of the server, without the system's.
pub const MYSQL_DATABASES: &str = "SELECT CAST(SCHEMA_NAME AS CHAR) AS v FROM information_schema.SCHEMATA \
     WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') \
     ORDER BY SCHEMA_NAME";
