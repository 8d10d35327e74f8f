-- TradeSim cluster database, version 1: the cluster as it ran on TradeSim's own membership and leases (superseded by
-- version 2, which moves membership to Orleans and retires the silos and leases tables). Kept so that a database made
-- by version 1 migrates, and a new one goes through the same steps.
CREATE TABLE silos (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    workers integer NOT NULL,
    engine_version text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at timestamptz,
    runs_done bigint NOT NULL DEFAULT 0);

CREATE TABLE batches (
    id bigserial PRIMARY KEY,
    fingerprint text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    engine_version text NOT NULL,
    seed numeric(20, 0) NOT NULL,
    baseline_position integer NOT NULL,
    min_replications integer NOT NULL,
    max_replications integer NOT NULL,
    precision double precision,
    planned_replications integer NOT NULL,
    max_attempts integer NOT NULL,
    options_json text NOT NULL,
    status text NOT NULL);

CREATE TABLE scenario_texts (hash text PRIMARY KEY, layers_json text NOT NULL);

CREATE TABLE batch_scenarios (
    batch_id bigint NOT NULL REFERENCES batches(id),
    position integer NOT NULL,
    name text NOT NULL,
    hash text NOT NULL REFERENCES scenario_texts(hash),
    PRIMARY KEY (batch_id, position));

CREATE TABLE runs (
    batch_id bigint NOT NULL,
    position integer NOT NULL,
    replication integer NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'leased', 'done', 'failed')),
    attempt integer NOT NULL DEFAULT 0,
    failures integer NOT NULL DEFAULT 0,
    lease_owner uuid,
    lease_expires_at timestamptz,
    not_before timestamptz NOT NULL DEFAULT now(),
    last_error text,
    finished_at timestamptz,
    wall_ms double precision,
    conserved boolean,
    PRIMARY KEY (batch_id, position, replication),
    FOREIGN KEY (batch_id, position) REFERENCES batch_scenarios(batch_id, position));

CREATE INDEX runs_open ON runs (batch_id, replication, position) WHERE state IN ('pending', 'leased');

CREATE TABLE run_leases (
    batch_id bigint NOT NULL,
    position integer NOT NULL,
    replication integer NOT NULL,
    attempt integer NOT NULL,
    silo_id uuid NOT NULL,
    leased_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at timestamptz,
    outcome text,
    PRIMARY KEY (batch_id, position, replication, attempt));

CREATE TABLE results (
    batch_id bigint NOT NULL,
    position integer NOT NULL,
    replication integer NOT NULL,
    attempt integer NOT NULL,
    silo_id uuid NOT NULL,
    kpi_names text[] NOT NULL,
    kpi_values double precision[] NOT NULL,
    queue_gates text[] NOT NULL,
    queue_values bytea NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, position, replication));
