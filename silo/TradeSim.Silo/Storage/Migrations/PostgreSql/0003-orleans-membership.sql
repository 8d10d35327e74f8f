-- Version 3: Orleans' membership (ADO.NET clustering, invariant "Npgsql") in the cluster's database, next to
-- TradeSim's results. Orleans' ADO.NET provider reads its SQL from the table orleansquery; these are our own tables
-- and query texts, written against the contract of the 10.4.2 provider (the query keys it requires, the parameters
-- it passes, the columns it reads), not copied from Orleans' scripts.
--
-- Identifiers are unquoted, so PostgreSQL keeps them in lower case: the provider runs the fixed text
-- `SELECT QueryKey, QueryText FROM OrleansQuery`, which PostgreSQL folds to lower case too. Result columns are
-- aliased with the exact names the provider reads ("Version", "Address", ...). Times are timestamptz: Orleans passes
-- UTC DateTimes and Npgsql sends them as timestamptz. Status values (Orleans.Runtime.SiloStatus): 1 Created,
-- 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead. Every write checks the table version (the etag) and
-- bumps it in the same statement, and answers with one row of one boolean.

-- Query table shared by all Orleans ADO.NET providers (clustering, reminders, persistence, ...).
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT orleansquery_pk PRIMARY KEY (querykey)
);

-- One row per cluster (Orleans calls the ClusterId "DeploymentId"); version is the table-wide etag.
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150) NOT NULL,
    version      integer      NOT NULL DEFAULT 0,
    timestamp    timestamptz  NOT NULL DEFAULT now(),   -- last change of version, diagnostics only
    CONSTRAINT orleansmembershipversiontable_pk PRIMARY KEY (deploymentid)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150) NOT NULL,
    address      varchar(45)  NOT NULL,               -- IPv4/IPv6 text
    port         integer      NOT NULL,               -- silo-to-silo port
    generation   integer      NOT NULL,
    siloname     varchar(150) NOT NULL,
    hostname     varchar(150) NOT NULL,
    status       integer      NOT NULL,               -- SiloStatus as int
    proxyport    integer      NOT NULL DEFAULT 0,     -- gateway port, 0 = no gateway
    suspecttimes text             NULL,               -- 'addr:port@gen,yyyy-MM-dd HH:mm:ss.fff GMT|...'
    starttime    timestamptz  NOT NULL,               -- always UTC instants: use timestamptz, not timestamp
    iamalivetime timestamptz  NOT NULL,
    CONSTRAINT orleansmembershiptable_pk PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT orleansmembershiptable_version_fk FOREIGN KEY (deploymentid)
        REFERENCES orleansmembershipversiontable (deploymentid)
);

-- The stored queries. Parameters are written @Name (Npgsql rewrites them to $n) using exactly the
-- provider's parameter names (PascalCase, see CONTRACT.md).
INSERT INTO orleansquery (querykey, querytext) VALUES

-- Creates the cluster's version row once. Must return exactly one row with one boolean column.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleansmembershipversiontable (deploymentid, version, timestamp)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Inserted"
$q$),

-- Inserts this silo's row if the caller's etag (@Version) is still current; bumps the version in the
-- same statement. The version row's lock serialises concurrent writers; a stale etag updates nothing.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE orleansmembershipversiontable AS v
       SET version = v.version + 1, timestamp = now()
     WHERE v.deploymentid = @DeploymentId
       AND v.version = @Version
       AND NOT EXISTS (SELECT 1 FROM orleansmembershiptable AS m
                        WHERE m.deploymentid = @DeploymentId AND m.address = @Address
                          AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deploymentid
), added AS (
    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
         suspecttimes, starttime, iamalivetime)
    SELECT b.deploymentid, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
           COALESCE(@ProxyPort, 0), NULL, @StartTime, @IAmAliveTime
      FROM bumped AS b
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM added) AS "Inserted"
$q$),

-- Updates status / suspect votes / IAmAlive of one silo under the same optimistic-concurrency rule.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE orleansmembershipversiontable AS v
       SET version = v.version + 1, timestamp = now()
     WHERE v.deploymentid = @DeploymentId
       AND v.version = @Version
       AND EXISTS (SELECT 1 FROM orleansmembershiptable AS m
                    WHERE m.deploymentid = @DeploymentId AND m.address = @Address
                      AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deploymentid
), changed AS (
    UPDATE orleansmembershiptable AS m
       SET status = @Status, suspecttimes = @SuspectTimes, iamalivetime = @IAmAliveTime
      FROM bumped AS b
     WHERE m.deploymentid = b.deploymentid AND m.address = @Address
       AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed) AS "Updated"
$q$),

-- Heartbeat: no version change, result ignored by the provider.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleansmembershiptable
   SET iamalivetime = @IAmAliveTime
 WHERE deploymentid = @DeploymentId AND address = @Address
   AND port = @Port AND generation = @Generation
$q$),

-- One silo's row plus the table version. Must return a row (with "Version") even when the silo has
-- no row yet: the provider reads the version from the first row and treats a NULL "StartTime" as
-- "no entry". Hence version table LEFT JOIN membership.
('MembershipReadRowKey', $q$
SELECT v.version      AS "Version",
       m.address      AS "Address",
       m.port         AS "Port",
       m.generation   AS "Generation",
       m.siloname     AS "SiloName",
       m.hostname     AS "HostName",
       m.status       AS "Status",
       m.proxyport    AS "ProxyPort",
       m.suspecttimes AS "SuspectTimes",
       m.starttime    AS "StartTime",
       m.iamalivetime AS "IAmAliveTime"
  FROM orleansmembershipversiontable AS v
  LEFT JOIN orleansmembershiptable AS m
         ON m.deploymentid = v.deploymentid
        AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.deploymentid = @DeploymentId
$q$),

-- All rows of the cluster plus the table version (same shape and same LEFT JOIN reason as above).
('MembershipReadAllKey', $q$
SELECT v.version      AS "Version",
       m.address      AS "Address",
       m.port         AS "Port",
       m.generation   AS "Generation",
       m.siloname     AS "SiloName",
       m.hostname     AS "HostName",
       m.status       AS "Status",
       m.proxyport    AS "ProxyPort",
       m.suspecttimes AS "SuspectTimes",
       m.starttime    AS "StartTime",
       m.iamalivetime AS "IAmAliveTime"
  FROM orleansmembershipversiontable AS v
  LEFT JOIN orleansmembershiptable AS m ON m.deploymentid = v.deploymentid
 WHERE v.deploymentid = @DeploymentId
$q$),

-- Gateways for clients: silos in @Status (the provider passes 3 = Active) that expose a gateway port.
('GatewaysQueryKey', $q$
SELECT m.address    AS "Address",
       m.proxyport  AS "ProxyPort",
       m.generation AS "Generation"
  FROM orleansmembershiptable AS m
 WHERE m.deploymentid = @DeploymentId
   AND m.status = @Status
   AND m.proxyport > 0
$q$),

-- Removes a whole cluster (tests / manual reset). Both deletes are one statement; the foreign key
-- (NO ACTION) is checked at statement end, so deleting the version row here is fine.
('DeleteMembershipTableEntriesKey', $q$
WITH gone AS (
    DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId
    RETURNING 1
)
DELETE FROM orleansmembershipversiontable
 WHERE deploymentid = @DeploymentId
$q$),

-- Required key: bulk removal of Dead (6) rows whose last heartbeat and start are before the cutoff
-- (@IAmAliveTime = cutoff, UTC). Only used by 10.4.2 when CleanupDefunctSiloEntryKey is absent.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId
   AND status = 6
   AND iamalivetime < @IAmAliveTime
   AND starttime < @IAmAliveTime
$q$),

-- Optional key (10.4.2+): the provider selects the expired Dead rows itself and deletes them one by
-- one, passing the values it read; delete only if the row is still exactly that (no newer vote/heartbeat).
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId
   AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6
   AND starttime = @StartTime
   AND iamalivetime = @IAmAliveTime
   AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes, '')
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
