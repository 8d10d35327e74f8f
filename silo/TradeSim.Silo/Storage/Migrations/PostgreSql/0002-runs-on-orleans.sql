-- Version 2: runs execute on Orleans grains. Orleans' membership (ADO.NET clustering) replaces TradeSim's silos
-- table, heartbeats and leases, so those go; what stays ours is the results, their idempotent writes (the run key is
-- the primary key, and each result carries the SHA-256 digest of its bytes, so a duplicate execution can be checked
-- to be identical) and the poison-run accounting (attempts counted before a run is handed to a silo).

-- Runs: a lease in progress becomes a pending run; the attempt counter becomes the count of attempts started.
UPDATE runs SET state = 'pending' WHERE state = 'leased';
UPDATE runs SET attempt = failures WHERE state = 'pending';
ALTER TABLE runs DROP CONSTRAINT runs_state_check;
ALTER TABLE runs ADD CONSTRAINT runs_state_check CHECK (state IN ('pending', 'done', 'failed'));
ALTER TABLE runs RENAME COLUMN attempt TO attempts;
ALTER TABLE runs DROP COLUMN failures;
ALTER TABLE runs DROP COLUMN lease_owner;
ALTER TABLE runs DROP COLUMN lease_expires_at;
ALTER TABLE runs DROP COLUMN not_before;
ALTER TABLE runs ADD COLUMN silo text;
ALTER TABLE runs ADD COLUMN silo_address text;
DROP INDEX runs_open;
CREATE INDEX runs_pending ON runs (batch_id, replication, position) WHERE state = 'pending';
CREATE INDEX batches_running ON batches (engine_version, id) WHERE status = 'running';

-- Results: who wrote one is kept on its run (the silo's name and Orleans address, ip:port@generation); the digest
-- identifies its bytes.
ALTER TABLE results DROP COLUMN attempt;
ALTER TABLE results DROP COLUMN silo_id;
ALTER TABLE results ADD COLUMN digest bytea NOT NULL DEFAULT '\x'::bytea;
ALTER TABLE results ALTER COLUMN digest DROP DEFAULT;

DROP TABLE run_leases;
DROP TABLE silos;
