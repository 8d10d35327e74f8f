-- Version 4 (one KPI catalogue): a batch keeps the KPIs its --precision rule judges (glob patterns, JSON) and its
-- absolute tolerance; each scenario keeps its entities (gate, post and node names, closures, coordinates; JSON) so no
-- reader parses the scenario text again. A KPI without data in a run is NaN in results.kpi_values (double precision
-- keeps NaN); readers leave it out.
ALTER TABLE batches ADD COLUMN precision_kpis text NOT NULL DEFAULT '[]';
ALTER TABLE batches ADD COLUMN precision_absolute double precision NOT NULL DEFAULT 0;
ALTER TABLE batch_scenarios ADD COLUMN entities_json text;
