-- 0002: token expiry and scopes; audit rows that summarise repeated
-- noise (throttled sign-ins) and an index for paging and filtering by
-- action; the version a pending upload was exported from; whether a
-- version's uploaded workbook contains formulas (NULL: not known, for
-- versions published before this step).
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'publish';
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN bucket TEXT;
CREATE UNIQUE INDEX audit_bucket ON audit (action, remote, bucket) WHERE bucket IS NOT NULL;
CREATE INDEX audit_action ON audit (action, id);
ALTER TABLE uploads ADD COLUMN exported_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN formulas INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN formulas INTEGER;
CREATE INDEX sessions_user ON sessions (user);
