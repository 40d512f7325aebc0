-- Tandem hybrid script for job 't', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'streaming';
SET 'pipeline.name' = 'tandem:t:hybrid:2024-11-11';
SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '60000 ms';

-- Physical tables (batch history + stream)

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

CREATE TABLE ods_user_rt (
  uid BIGINT,
  is_new_flag STRING COMMENT 'Y | N',
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '10' SECOND
)
WITH (
  'connector' = 'kafka',
  'properties.bootstrap.servers' = 'kafka:9092',
  'format' = 'json',
  'topic' = 'user_events',
  'properties.sasl.jaas.config' = '******',
  'scan.startup.mode' = 'timestamp',
  'scan.startup.timestamp-millis' = '1731283200000'
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

-- Meta-table views: logical columns from the batch history + stream

CREATE TEMPORARY VIEW mix_user_events AS
SELECT
  uid,
  is_new,
  channel,
  event_time,
  ds,
  'stream' AS __mode
FROM ods_user_di
WHERE ds >= '20241101' AND ds <= '20241110'
UNION ALL
SELECT
  uid,
  CASE is_new_flag WHEN 'Y' THEN 1 ELSE 0 END AS is_new,
  'app' AS channel,
  ts AS event_time,
  DATE_FORMAT(ts, 'yyyyMMdd') AS ds,
  'stream' AS __mode
FROM ods_user_rt
WHERE DATE_FORMAT(ts, 'yyyyMMdd') >= '20241111';

-- Job script

INSERT INTO ads_channel_total (channel, users) SELECT channel, COUNT(DISTINCT uid) FROM mix_user_events GROUP BY channel;
