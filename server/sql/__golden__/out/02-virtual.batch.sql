-- Tandem batch script for job 't', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'batch';
SET 'pipeline.name' = 'tandem:t:batch:2024-11-11';

-- Physical tables (batch side)

CREATE TABLE ods_user_di (
  uid BIGINT,
  is_new INT COMMENT '1 | 0',
  channel STRING,
  event_time TIMESTAMP(3),
  ds STRING
)
PARTITIONED BY (ds)
WITH (
  'connector' = 'filesystem',
  'path' = '/data/warehouse',
  'format' = 'parquet'
);

CREATE TABLE ads_user_daily_di (
  ds STRING,
  channel STRING,
  users BIGINT,
  new_users BIGINT
)
PARTITIONED BY (ds)
WITH (
  'connector' = 'filesystem',
  'path' = '/data/warehouse',
  'format' = 'parquet'
);

-- Meta-table views: logical columns from the batch side

CREATE TEMPORARY VIEW mix_user_events AS
SELECT
  uid,
  is_new,
  channel,
  event_time,
  ds,
  'batch' AS __mode
FROM ods_user_di
WHERE ds = '20241111';

-- Job script

INSERT OVERWRITE ads_user_daily_di PARTITION (ds = '20241111') (channel, users, new_users)
WITH __tandem_out (ds, channel, users, new_users) AS (
SELECT ds, channel, COUNT(DISTINCT uid) AS users, SUM(is_new) AS new_users
FROM mix_user_events WHERE ds = '20241111' GROUP BY ds, channel
)
SELECT channel, users, new_users FROM __tandem_out WHERE ds = '20241111';
