/**
 * The server modules a Portcullis child runs, loaded as `bin/portcullis.js` loads them: the
 * process first pins `process.nextTick`'s object shape (dist/kernel/tick-object-shape.js says
 * why), and only then loads the server. Loaded statically, the modules would all be read and run
 * before any line of the child could pin it, and the bench would measure a server that the
 * `portcullis` command never runs.
 *
 * `dist` is this checkout's build unless another is named (`bench/cpu-per-op.js --against`).
 *
 * @param {URL} [dist]
 */
export async function loadServerModules(dist = new URL('../../dist/', import.meta.url)) {
  const { pinTickObjectShape } = await import(new URL('kernel/tick-object-shape.js', dist).href);
  pinTickObjectShape();
  const [server, config, hash, schema, logger] = await Promise.all([
    import(new URL('app/server.js', dist).href),
    import(new URL('config/index.js', dist).href),
    import(new URL('hash/index.js', dist).href),
    import(new URL('identity/schema/index.js', dist).href),
    import(new URL('kernel/logger.js', dist).href),
  ]);
  return {
    startPortcullis: server.startPortcullis,
    loadConfig: config.loadConfig,
    sharedHashPool: hash.sharedHashPool,
    DEFAULT_SCHEMA_URL: schema.DEFAULT_SCHEMA_URL,
    createLogger: logger.createLogger,
  };
}
