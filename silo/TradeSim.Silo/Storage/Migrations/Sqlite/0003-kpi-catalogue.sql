-- Version 3 (one KPI catalogue): a KPI a run had no observation of (no truck crossed, so no crossing time) is kept
-- as NULL, "no data", never 0, so every run of a scenario still lists the same names in the same order; a batch
-- keeps the KPIs its --precision rule judges (glob patterns, JSON) and its absolute tolerance; each scenario keeps
-- its entities (gate, post and node names, closures, coordinates; JSON) so no reader parses the scenario text again.
CREATE TABLE kpis_v3 (
    batch_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    kpi TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (batch_id, position, replication, ordinal)) WITHOUT ROWID;
INSERT INTO kpis_v3 (batch_id, position, replication, ordinal, kpi, value) SELECT batch_id, position, replication, ordinal, kpi, value FROM kpis;
DROP TABLE kpis;
ALTER TABLE kpis_v3 RENAME TO kpis;
ALTER TABLE batches ADD COLUMN precision_kpis TEXT NOT NULL DEFAULT '[]';
ALTER TABLE batches ADD COLUMN precision_absolute REAL NOT NULL DEFAULT 0;
ALTER TABLE batch_scenarios ADD COLUMN entities_json TEXT;
UPDATE schema_version SET version = 3;
