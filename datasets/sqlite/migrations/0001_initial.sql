-- 0001 initial: the schema of wave 1, which created these tables with
-- CREATE TABLE IF NOT EXISTS on every start. A store written then has
-- them already and no schema_migrations table; Open records this step as
-- applied without running it.
CREATE TABLE versions (
	number        INTEGER PRIMARY KEY,
	created_at    TEXT    NOT NULL,
	author        TEXT    NOT NULL,
	comment       TEXT    NOT NULL DEFAULT '',
	sha256        TEXT    NOT NULL,
	workbook      BLOB    NOT NULL,
	dataset       TEXT    NOT NULL,
	restored_from INTEGER
);
CREATE TABLE current (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL REFERENCES versions(number)
);
CREATE TABLE uploads (
	id           TEXT PRIMARY KEY,
	created_at   TEXT NOT NULL,
	author       TEXT NOT NULL,
	filename     TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	workbook     BLOB NOT NULL,
	dataset      TEXT NOT NULL,
	base_version INTEGER NOT NULL
);
CREATE TABLE users (
	name          TEXT PRIMARY KEY,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL
);
CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user       TEXT NOT NULL,
	csrf       TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE TABLE audit (
	id     INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL,
	remote TEXT NOT NULL
);
