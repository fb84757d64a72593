/**
 * The server modules a Portcullis child runs, loaded as `bin/portcullis.js` loads them: the
 * process first pins `process.nextTick`'s object shape (dist/kernel/tick-object-shape.js says
 * why), and only then loads the server. Loaded statically, the modules would all be read and run
 * before any line of the child could pin it, and the bench would measure a server that the
 * `portcullis` command never runs.
 */
export async function loadServerModules() {
  const { pinTickObjectShape } = await import('../../dist/kernel/tick-object-shape.js');
  pinTickObjectShape();
  const [server, config, hash, schema, logger] = await Promise.all([
    import('../../dist/app/server.js'),
    import('../../dist/config/index.js'),
    import('../../dist/hash/index.js'),
    import('../../dist/identity/schema/index.js'),
    import('../../dist/kernel/logger.js'),
  ]);
  return {
    startPortcullis: server.startPortcullis,
    loadConfig: config.loadConfig,
    sharedHashPool: hash.sharedHashPool,
    DEFAULT_SCHEMA_URL: schema.DEFAULT_SCHEMA_URL,
    createLogger: logger.createLogger,
  };
}
