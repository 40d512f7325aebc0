-- Tandem stream script for job 't', bizdate 2024-11-11. Generated: edit the job, not this script.
SET 'execution.runtime-mode' = 'streaming';
SET 'pipeline.name' = 'tandem:t:stream';
SET 'parallelism.default' = '1';
SET 'execution.checkpointing.interval' = '60000 ms';

-- Physical tables (stream side)

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
  'scan.startup.mode' = 'latest-offset'
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

CREATE TEMPORARY VIEW mix_user_events AS
SELECT
  uid,
  CASE is_new_flag WHEN 'Y' THEN 1 ELSE 0 END AS is_new,
  'app' AS channel,
  ts AS event_time,
  DATE_FORMAT(ts, 'yyyyMMdd') AS ds,
  'stream' AS __mode
FROM ods_user_rt;

-- Job script

INSERT INTO ads_channel_total (channel, users) SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '20241111' GROUP BY channel;
