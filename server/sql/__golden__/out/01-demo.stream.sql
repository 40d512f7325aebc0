-- Tandem stream script for job 'coupon_daily_stats', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'streaming';
SET 'pipeline.name' = 'tandem:coupon_daily_stats:stream';
SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '10000 ms';

-- Physical tables (stream side)

CREATE TABLE ods_coupon_events_rt (
  event_id STRING,
  user_id BIGINT,
  coupon_id BIGINT,
  action STRING COMMENT 'view | claim | redeem',
  amount_cents BIGINT,
  ts_ms BIGINT COMMENT 'event time, epoch milliseconds',
  event_time AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
)
WITH (
  'connector' = 'filesystem',
  'path' = '.tandem/demo/topic/coupon_events',
  'format' = 'json',
  'source.monitor-interval' = '1 s'
);

CREATE TABLE ads_coupon_daily_rt (
  dt STRING,
  coupon_id BIGINT,
  pv BIGINT,
  uv BIGINT,
  redeemed BIGINT,
  gmv_cents BIGINT,
  PRIMARY KEY (dt, coupon_id) NOT ENFORCED
)
WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://127.0.0.1:5432/tandem_serving',
  'username' = 'tandem',
  'table-name' = 'ads_coupon_daily_rt',
  'password' = '******'
);

-- Meta-table views: logical columns from the stream side

CREATE TEMPORARY VIEW mix_coupon_events AS
SELECT
  event_id,
  user_id,
  coupon_id,
  action,
  amount_cents,
  event_time,
  DATE_FORMAT(event_time, 'yyyy-MM-dd') AS dt,
  'stream' AS __mode
FROM ods_coupon_events_rt;

-- Job script

-- One statement, two jobs: live in the stream job, exact in the daily batch job.
INSERT INTO ads_coupon_daily_rt (dt, coupon_id, pv, uv, redeemed, gmv_cents)
SELECT
  dt,
  coupon_id,
  COUNT(*) AS pv,
  COUNT(DISTINCT user_id) AS uv,
  SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed,
  SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
FROM mix_coupon_events
WHERE dt = '2024-11-11' OR __mode = 'stream'
GROUP BY dt, coupon_id;
