-- TradeSim result database, version 1: batches, their scenarios' resolved text, planned runs, per-run KPIs and daily queues.
CREATE TABLE schema_version (version INTEGER NOT NULL);

CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    created_utc TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    seed TEXT NOT NULL,
    baseline_position INTEGER NOT NULL,
    min_replications INTEGER NOT NULL,
    max_replications INTEGER NOT NULL,
    precision REAL,
    planned_replications INTEGER NOT NULL,
    options_json TEXT NOT NULL,
    status TEXT NOT NULL);

CREATE TABLE scenario_texts (hash TEXT PRIMARY KEY, layers_json TEXT NOT NULL);

CREATE TABLE batch_scenarios (
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL REFERENCES scenario_texts(hash),
    PRIMARY KEY (batch_id, position));

CREATE TABLE runs (
    batch_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    status TEXT NOT NULL,
    finished_utc TEXT,
    wall_ms REAL,
    conserved INTEGER,
    PRIMARY KEY (batch_id, position, replication),
    FOREIGN KEY (batch_id, position) REFERENCES batch_scenarios(batch_id, position));

CREATE TABLE kpis (
    batch_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    kpi TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (batch_id, position, replication, ordinal)) WITHOUT ROWID;

CREATE TABLE daily_queues (
    batch_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    gate TEXT NOT NULL,
    mean_queue BLOB NOT NULL,
    PRIMARY KEY (batch_id, position, replication, gate)) WITHOUT ROWID;

INSERT INTO schema_version (version) VALUES (1);
