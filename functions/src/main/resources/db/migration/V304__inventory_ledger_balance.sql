-- The reconciliation's running balance: records already summed are summed once, not on every run. Runs on
-- MySQL 8 and MariaDB 10.6+ (proven on MariaDB only).
--
-- stock_balance holds, per goods, SUM(on_hand_delta) and SUM(reserved_delta) of its stock_movement
-- records with id <= stock_balance_cursor.folded_through (the folded part). The check compares the
-- counters with balance + the records above folded_through (the tail) + the open reservations, in one
-- statement, so one consistent read sees a fold's balance and its cursor together or neither
-- (JdbcInventoryRepository.reconcile has the design). The ledger is append-only: a record changed or
-- deleted after it was folded shows as a mismatch of its goods.
--
-- The cursor is one row. seen_id is MAX(stock_movement.id) as a run saw it at seen_at: ids at or below it
-- were allocated by then, each with its row, and once seen_at is 10 minutes old a run folds
-- (folded_through, seen_id]. The fold share-locks the range it folds, so a transaction still holding an
-- id in it (uncommitted, or a session left open) is waited for, never skipped. Not a moved_at
-- watermark: a reservation's RESERVE record is written when it settles, dated when it was made.
--
-- Nothing is folded yet: the first fold runs once the seen_id recorded here is 10 minutes old. The
-- application user's DML on the schema covers both tables (docs/database.md).

CREATE TABLE stock_balance (
    goods_id BIGINT NOT NULL,
    on_hand  BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    PRIMARY KEY (goods_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE stock_balance_cursor (
    id             TINYINT     NOT NULL,
    folded_through BIGINT      NOT NULL,
    seen_id        BIGINT      NULL,
    seen_at        DATETIME(3) NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_balance_cursor_one_row CHECK (id = 1),
    CONSTRAINT ck_balance_cursor_seen CHECK (seen_id IS NULL OR seen_id >= folded_through)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO stock_balance_cursor (id, folded_through, seen_id, seen_at)
SELECT 1, 0, COALESCE(MAX(id), 0), UTC_TIMESTAMP(3) FROM stock_movement;
