#!/usr/bin/env node
// The package is compiled on `npm install` (the `prepare` script); point at the build.
try {
  const { main } = await import('../dist/cli/main.js');
  await main(process.argv);
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('portcullis is not built yet: run `npm run build` (npm install does it for you).');
    process.exit(1);
  }
  throw error;
}
