-- Portable SQL (H2 and PostgreSQL). A create with an Idempotency-Key first writes its key here in a transaction of its
-- own, before it takes a rate slot or reserves a budget, and deletes the row when it ends (accepted or refused). A
-- second create with the key meanwhile, on any instance sharing the database, is answered 409 idempotency_key_in_use
-- instead of racing the first for the rate window and the budget. token: the create that holds the row (a create only
-- deletes its own). expires_at (epoch ms, DATABASE clock): after it, a row left by a crashed instance is taken over.
CREATE TABLE idempotency_in_flight (
    owner_key_id    VARCHAR(40)  NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    token           VARCHAR(40)  NOT NULL,
    expires_at      BIGINT       NOT NULL,
    PRIMARY KEY (owner_key_id, idempotency_key)
);
CREATE INDEX idempotency_in_flight_expires ON idempotency_in_flight (expires_at);
