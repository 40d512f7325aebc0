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

INSERT INTO ads_channel_total (channel, users) SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '20241111' GROUP BY channel;
