-- Idempotency records of the creates whose resources live in this database (catalog POSTs): the
-- record of a key is completed in the same transaction as the resource it created, so a create
-- that committed can never run again for the same key, whatever happens to its invocation after
-- the commit. Platform range (V1xx): nothing here depends on another capability's migrations.
--   key_hash     SHA-256 (hex) of "METHOD resource caller key"
--   fingerprint  SHA-256 (hex) of the canonical request body
--   state        IN_PROGRESS while a request holds the key (its owner token and lease), then COMPLETED
--   reserved_id  an id reserved for what the key creates, the same for every run of the key
--   locked_until end of the owner's lease (epoch ms); after it another request may take the key over
--   expires_at   end of the record (epoch ms): a claim deletes a few expired records as it goes
CREATE TABLE idempotency_record (
    key_hash     CHAR(64)     CHARACTER SET ascii NOT NULL,
    fingerprint  CHAR(64)     CHARACTER SET ascii NOT NULL,
    state        VARCHAR(11)  CHARACTER SET ascii NOT NULL,
    owner        CHAR(36)     CHARACTER SET ascii NULL,
    reserved_id  CHAR(36)     CHARACTER SET ascii NOT NULL,
    locked_until BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    status       SMALLINT     NULL,
    headers      TEXT         NULL,
    body         MEDIUMTEXT   NULL,
    created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (key_hash),
    KEY idx_idempotency_expires (expires_at),
    CONSTRAINT ck_idempotency_state CHECK (state IN ('IN_PROGRESS', 'COMPLETED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
