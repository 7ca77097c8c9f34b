// Environment for every test file: the ingest function's module-scope config needs these,
// and logs stay quiet unless a test asks for them.
process.env.STREAM_NAME ??= 'test-stream';
process.env.INGEST_WRITE_KEYS ??= 'test-key';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.METRICS_DELIVERY_STREAM ??= 'test-metrics';
process.env.WAREHOUSE_URL ??= 'postgres://postgres@127.0.0.1:5439/analytics';
