-- 0003 content-addressed storage: every workbook and dataset is stored
-- once, in blobs, under the SHA-256 of its bytes; a version refers to its
-- workbook (versions.sha256, which already was the workbook's SHA-256)
-- and to its dataset (versions.dataset_sha256, the SHA-256 of the
-- dataset's storage-format JSON). Publishing bytes the store holds
-- already adds a history row and nothing else. Datasets are kept
-- gzip-compressed; workbooks (.xlsx files are zip archives already) as
-- they are.
CREATE TABLE blobs (
	hash     TEXT    PRIMARY KEY,                                 -- SHA-256 of the content, hex
	encoding TEXT    NOT NULL CHECK (encoding IN ('identity', 'gzip')),
	size     INTEGER NOT NULL,                                    -- length of the content
	data     BLOB    NOT NULL                                     -- the content, encoded
) WITHOUT ROWID;
INSERT INTO blobs (hash, encoding, size, data)
	SELECT sha256, 'identity', length(workbook), workbook FROM versions WHERE true
	ON CONFLICT (hash) DO NOTHING;
ALTER TABLE versions ADD COLUMN dataset_sha256 TEXT;
-- Hashing and compressing the datasets is Go's work: the step named
-- below stores each version's dataset JSON in blobs and sets
-- dataset_sha256.
-- @go datasets_to_blobs
ALTER TABLE versions DROP COLUMN workbook;
ALTER TABLE versions DROP COLUMN dataset;
