-- Tandem batch script for job 'coupon_daily_stats', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'batch';
SET 'pipeline.name' = 'tandem:coupon_daily_stats:batch:2024-11-11';

-- Physical tables (batch side)

CREATE TABLE ods_coupon_events_di (
  event_id STRING,
  user_id STRING,
  coupon_id BIGINT,
  action_type STRING COMMENT 'V | C | R',
  amount DECIMAL(12, 2),
  event_time TIMESTAMP(3),
  dt STRING
)
PARTITIONED BY (dt)
WITH (
  'connector' = 'filesystem',
  'path' = '.tandem/demo/warehouse/ods_coupon_events_di',
  'format' = 'parquet'
);

CREATE TABLE ads_coupon_daily_di (
  dt STRING,
  coupon_id BIGINT,
  pv BIGINT,
  uv BIGINT,
  redeemed BIGINT,
  gmv_cents BIGINT
)
PARTITIONED BY (dt)
WITH (
  'connector' = 'filesystem',
  'path' = '.tandem/demo/warehouse/ads_coupon_daily_di',
  'format' = 'parquet'
);

-- Meta-table views: logical columns from the batch side

CREATE TEMPORARY VIEW mix_coupon_events AS
SELECT
  event_id,
  CAST(user_id AS BIGINT) AS user_id,
  coupon_id,
  CASE action_type WHEN 'V' THEN 'view' WHEN 'C' THEN 'claim' WHEN 'R' THEN 'redeem' END AS action,
  CAST(amount * 100 AS BIGINT) AS amount_cents,
  CAST(event_time AS TIMESTAMP_LTZ(3)) AS event_time,
  dt,
  'batch' AS __mode
FROM ods_coupon_events_di
WHERE dt = '2024-11-11';

-- Job script

-- One statement, two jobs: live in the stream job, exact in the daily batch job.
INSERT OVERWRITE ads_coupon_daily_di PARTITION (dt = '2024-11-11') (coupon_id, pv, uv, redeemed, gmv_cents)
WITH __tandem_out (dt, coupon_id, pv, uv, redeemed, gmv_cents) AS (
SELECT
  dt,
  coupon_id,
  COUNT(*) AS pv,
  COUNT(DISTINCT user_id) AS uv,
  SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed,
  SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
FROM mix_coupon_events
WHERE dt = '2024-11-11' OR __mode = 'stream'
GROUP BY dt, coupon_id
)
SELECT coupon_id, pv, uv, redeemed, gmv_cents FROM __tandem_out WHERE dt = '2024-11-11';
