-- Version 2 (runs execute on Orleans grains): a run counts its attempts before it is handed to a silo and keeps the
-- error of its last failure; a run that fails every attempt is 'failed'. A finished run records the silo that wrote
-- it (name, and Orleans address ip:port@generation) and the SHA-256 digest of its result, so a duplicate execution can be checked to write identical bytes.
ALTER TABLE batches ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3;
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_error TEXT;
ALTER TABLE runs ADD COLUMN silo TEXT;
ALTER TABLE runs ADD COLUMN silo_address TEXT;
ALTER TABLE runs ADD COLUMN digest BLOB;
UPDATE schema_version SET version = 2;
