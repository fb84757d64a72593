import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

/** The package version, served at /version and printed by --version. */
export const VERSION = `v${pkg.version}`;
