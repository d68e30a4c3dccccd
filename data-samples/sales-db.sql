-- Seeds the in-process H2 database of pipelines/sales-from-jdbc.yaml from the sample CSV files.
-- H2 runs this for every new connection (INIT=RUNSCRIPT), so it only creates the table once.
-- @samples is the data-samples directory, which the spec's URL sets (a relative path in CSVREAD
-- would mean the JVM's working directory: the sample failed when run from anywhere else); run by
-- hand from the project's directory without it, the script reads data-samples/.
-- Columns other than the key are text, so the deliberately bad values reach the schema gate;
-- order ids that are not numbers become NULL, and are read by the NULL partition.
CREATE TABLE IF NOT EXISTS sales (
  order_id BIGINT, ts VARCHAR, product VARCHAR, category VARCHAR, store VARCHAR, region VARCHAR,
  quantity VARCHAR, unit_price VARCHAR, discount VARCHAR)
AS SELECT CASE WHEN REGEXP_LIKE(order_id, '^[0-9]{1,18}$') THEN CAST(order_id AS BIGINT) END,
          ts, product, category, store, region, quantity, unit_price, discount
   FROM (SELECT * FROM CSVREAD(COALESCE(@samples, 'data-samples') || '/sales/sales-2024-01.csv', NULL, 'charset=UTF-8 fieldDelimiter=')
         UNION ALL
         SELECT * FROM CSVREAD(COALESCE(@samples, 'data-samples') || '/sales/sales-2024-02.csv', NULL, 'charset=UTF-8 fieldDelimiter='));
