-- Portable SQL: runs on H2 (embedded default) and PostgreSQL. Times are epoch milliseconds.
CREATE TABLE api_keys (
    id          VARCHAR(40)  NOT NULL PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    key_hash    VARCHAR(64)  NOT NULL,
    key_hint    VARCHAR(20)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);

CREATE TABLE jobs (
    id                VARCHAR(64)  NOT NULL PRIMARY KEY,
    owner_key_id      VARCHAR(40)  NOT NULL,
    surface           VARCHAR(32)  NOT NULL,
    model             VARCHAR(200) NOT NULL,
    status            VARCHAR(16)  NOT NULL,
    progress          INTEGER      NOT NULL,
    prompt            VARCHAR,
    duration_seconds  INTEGER,
    video_size        VARCHAR(32),
    number_of_videos  INTEGER      NOT NULL,
    request_json      VARCHAR      NOT NULL,
    request_hash      VARCHAR(64)  NOT NULL,
    attributes_json   VARCHAR      NOT NULL,
    notes_json        VARCHAR      NOT NULL,
    checkpoint        VARCHAR,
    backend           VARCHAR(200),
    error_code        VARCHAR(100),
    error_message     VARCHAR,
    remixed_from      VARCHAR(64),
    extended_from     VARCHAR(64),
    idempotency_key   VARCHAR(255),
    attempts          INTEGER      NOT NULL,
    cancel_requested  BOOLEAN      NOT NULL,
    lease_owner       VARCHAR(100),
    lease_expires_at  BIGINT,
    created_at        BIGINT       NOT NULL,
    started_at        BIGINT,
    completed_at      BIGINT,
    expires_at        BIGINT,
    updated_at        BIGINT       NOT NULL
);
CREATE INDEX jobs_owner_created ON jobs (owner_key_id, created_at, id);
CREATE INDEX jobs_runnable ON jobs (status, lease_expires_at);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner_key_id, idempotency_key);
