-- Tandem stream script for job 't', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'streaming';
SET 'pipeline.name' = 'tandem:t:stream';
SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '60000 ms';

-- Physical tables (stream side)

CREATE TABLE ods_coupon_events_rt (
  event_id STRING,
  user_id BIGINT,
  coupon_id BIGINT,
  action STRING,
  amount_cents BIGINT,
  ts_ms BIGINT,
  event_time AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  proc_time AS PROCTIME(),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
)
WITH (
  'connector' = 'filesystem',
  'path' = '/data/topic',
  'format' = 'json'
);

CREATE TABLE dim_coupon__phys (
  coupon_id BIGINT,
  coupon_name STRING,
  campaign STRING,
  PRIMARY KEY (coupon_id) NOT ENFORCED
)
WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://db:5432/serving',
  'username' = 'tandem',
  'table-name' = 'dim_coupon',
  'password' = '******'
);

CREATE TABLE ads_channel_total (
  channel STRING,
  users BIGINT,
  PRIMARY KEY (channel) NOT ENFORCED
)
WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://db:5432/serving',
  'username' = 'tandem',
  'table-name' = 'ads_channel_total',
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
  proc_time,
  DATE_FORMAT(event_time, 'yyyy-MM-dd') AS dt,
  'stream' AS __mode
FROM ods_coupon_events_rt;

CREATE TEMPORARY VIEW dim_coupon AS
SELECT
  coupon_id,
  coupon_name,
  campaign
FROM dim_coupon__phys;

-- Job script

INSERT INTO ads_channel_total (channel, users)
SELECT d.campaign, COUNT(*)
FROM mix_coupon_events AS e
JOIN dim_coupon FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.coupon_id = d.coupon_id
WHERE e.dt = '2024-11-11'
GROUP BY d.campaign;
