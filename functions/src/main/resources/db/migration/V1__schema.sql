-- The product's schema. Runs on MySQL 8.0.16+ and MariaDB 10.6+ (the local stack runs MariaDB 11.4).
-- Money is integer cents; times are UTC DATETIME(3). Versions: V1xx foundation, V2xx catalog,
-- V3xx inventory, V4xx media.

CREATE TABLE category (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    name       VARCHAR(50) NOT NULL,
    parent_id  BIGINT      NULL,
    level      TINYINT     NOT NULL,
    is_tab     BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY idx_category_parent (parent_id),
    KEY idx_category_tab (is_tab),
    CONSTRAINT fk_category_parent FOREIGN KEY (parent_id) REFERENCES category (id),
    CONSTRAINT ck_category_level CHECK (level BETWEEN 1 AND 3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE brand (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    name       VARCHAR(50)  NOT NULL,
    logo       VARCHAR(512) NOT NULL DEFAULT '',
    created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_brand_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE goods_category_brand (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    category_id BIGINT      NOT NULL,
    brand_id    BIGINT      NOT NULL,
    created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_gcb_category_brand (category_id, brand_id),
    KEY idx_gcb_brand (brand_id),
    CONSTRAINT fk_gcb_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_gcb_brand FOREIGN KEY (brand_id) REFERENCES brand (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE goods (
    id                BIGINT       NOT NULL AUTO_INCREMENT,
    category_id       BIGINT       NOT NULL,
    brand_id          BIGINT       NOT NULL,
    on_sale           BOOLEAN      NOT NULL DEFAULT FALSE,
    ship_free         BOOLEAN      NOT NULL DEFAULT FALSE,
    is_new            BOOLEAN      NOT NULL DEFAULT FALSE,
    is_hot            BOOLEAN      NOT NULL DEFAULT FALSE,
    name              VARCHAR(100) NOT NULL,
    goods_sn          VARCHAR(50)  NOT NULL,
    click_num         INT          NOT NULL DEFAULT 0,
    sold_num          INT          NOT NULL DEFAULT 0,
    fav_num           INT          NOT NULL DEFAULT 0,
    market_price      BIGINT       NOT NULL DEFAULT 0,
    shop_price        BIGINT       NOT NULL,
    goods_brief       VARCHAR(200) NOT NULL DEFAULT '',
    images            JSON         NOT NULL,
    desc_images       JSON         NOT NULL,
    goods_front_image VARCHAR(512) NOT NULL DEFAULT '',
    created_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    deleted_at        DATETIME(3)  NULL,
    -- goods_sn is unique among live goods only, so a soft-deleted number can be used again.
    live_goods_sn     VARCHAR(50) GENERATED ALWAYS AS (CASE WHEN deleted_at IS NULL THEN goods_sn END) STORED,
    PRIMARY KEY (id),
    UNIQUE KEY uk_goods_live_sn (live_goods_sn),
    KEY idx_goods_category (category_id),
    KEY idx_goods_brand (brand_id),
    CONSTRAINT fk_goods_category FOREIGN KEY (category_id) REFERENCES category (id),
    CONSTRAINT fk_goods_brand FOREIGN KEY (brand_id) REFERENCES brand (id),
    CONSTRAINT ck_goods_prices CHECK (market_price >= 0 AND shop_price >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE banner (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    image      VARCHAR(512) NOT NULL DEFAULT '',
    url        VARCHAR(512) NOT NULL DEFAULT '',
    goods_id   BIGINT       NULL,
    sort_index INT          NOT NULL DEFAULT 0,
    created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY idx_banner_sort (sort_index, id),
    KEY idx_banner_goods (goods_id),
    CONSTRAINT fk_banner_goods FOREIGN KEY (goods_id) REFERENCES goods (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory (
    goods_id   BIGINT      NOT NULL,
    stock      INT         NOT NULL DEFAULT 0,
    version    BIGINT      NOT NULL DEFAULT 0,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (goods_id),
    CONSTRAINT fk_inventory_goods FOREIGN KEY (goods_id) REFERENCES goods (id),
    CONSTRAINT ck_inventory_stock CHECK (stock >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE stock_sell_detail (
    order_sn   VARCHAR(64) NOT NULL,
    status     VARCHAR(16) NOT NULL,
    items      JSON        NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (order_sn),
    -- The sweeper's query: RESERVED rows past their expiry, oldest first.
    KEY idx_detail_status_expiry (status, expires_at),
    CONSTRAINT ck_detail_status CHECK (status IN ('RESERVED', 'CONFIRMED', 'RETURNED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
