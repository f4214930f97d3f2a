-- Webhook endpoints per API key, and the outbox of deliveries (written in the transaction of a job's final state).
CREATE TABLE webhook_endpoints (
    id          VARCHAR(40)   NOT NULL PRIMARY KEY,
    key_id      VARCHAR(40)   NOT NULL,
    url         VARCHAR(2048) NOT NULL,
    -- the whsec_ signing secret: needed as is to sign, like an upstream credential (shown to the operator once)
    secret      VARCHAR(100)  NOT NULL,
    events      VARCHAR(400)  NOT NULL,
    created_at  BIGINT        NOT NULL,
    removed_at  BIGINT
);
CREATE INDEX webhook_endpoints_key ON webhook_endpoints (key_id);

CREATE TABLE webhook_deliveries (
    id               VARCHAR(40)   NOT NULL PRIMARY KEY,
    endpoint_id      VARCHAR(40)   NOT NULL,
    event_id         VARCHAR(40)   NOT NULL,
    event_type       VARCHAR(40)   NOT NULL,
    job_id           VARCHAR(64)   NOT NULL,
    payload          VARCHAR       NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT        NOT NULL,
    claimed_by       VARCHAR(200),
    claim_expires_at BIGINT,
    last_status      INTEGER,
    last_error       VARCHAR(500),
    created_at       BIGINT        NOT NULL,
    ended_at         BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
-- one delivery per endpoint, job and event: a final state written twice cannot send twice
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, job_id, event_type);

CREATE TABLE webhook_attempts (
    delivery_id  VARCHAR(40)  NOT NULL,
    attempt      INTEGER      NOT NULL,
    attempted_at BIGINT       NOT NULL,
    http_status  INTEGER,
    error        VARCHAR(500),
    millis       BIGINT       NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
