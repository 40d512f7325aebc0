-- Tandem batch script for job 't', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'batch';
SET 'pipeline.name' = 'tandem:t:batch:2024-11-11';

-- Physical tables (batch side)

CREATE TABLE ods_coupon_events_di (
  event_id STRING,
  user_id STRING,
  coupon_id BIGINT,
  action_type STRING,
  amount DECIMAL(12, 2),
  event_time TIMESTAMP(3),
  dt STRING
)
PARTITIONED BY (dt)
WITH (
  'connector' = 'filesystem',
  'path' = '/data/warehouse',
  'format' = 'parquet'
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

-- Meta-table views: logical columns from the batch side

CREATE TEMPORARY VIEW mix_coupon_events AS
SELECT
  event_id,
  CAST(user_id AS BIGINT) AS user_id,
  coupon_id,
  CASE action_type WHEN 'V' THEN 'view' WHEN 'C' THEN 'claim' WHEN 'R' THEN 'redeem' END AS action,
  CAST(amount * 100 AS BIGINT) AS amount_cents,
  CAST(event_time AS TIMESTAMP_LTZ(3)) AS event_time,
  CAST(event_time AS TIMESTAMP_LTZ(3)) AS proc_time,
  dt,
  'batch' AS __mode
FROM ods_coupon_events_di
WHERE dt = '2024-11-11';

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
