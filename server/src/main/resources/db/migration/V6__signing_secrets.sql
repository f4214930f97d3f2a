-- Portable SQL (H2 and PostgreSQL). Issue 12: secrets the server makes once and every instance sharing the database
-- uses, e.g. the HMAC key of signed content URLs (video_url). Deleting a row makes a new secret at the next start
-- (URLs signed with the old one are then refused).
CREATE TABLE server_secrets (
    name       VARCHAR(64)  PRIMARY KEY,
    secret     VARCHAR(128) NOT NULL,
    created_at BIGINT       NOT NULL
);
