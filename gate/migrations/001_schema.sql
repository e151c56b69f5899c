-- The projects, one row each: `document` is the StoredProject JSON as the projects file
-- holds it, so a new project member needs no schema change. `version` is the
-- configuration version that last wrote the row.
CREATE TABLE projects (
    api_key text PRIMARY KEY,
    document jsonb NOT NULL,
    version bigint NOT NULL
);

-- One row: the configuration version, bumped by every admin change.
CREATE TABLE config_version (
    id int PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

-- One row per replica: the version it has applied, and until when (database clock) it may
-- decide on it without renewing.
CREATE TABLE replica_leases (
    replica_id text PRIMARY KEY,
    applied_version bigint NOT NULL,
    expires_at timestamptz NOT NULL,
    renewed_at timestamptz NOT NULL
);
