import type { CompiledTemplate } from '../../template/index.js';
import { canonicalHeaderKey } from '../../template/index.js';
import { type Mutator, oathkeeperDefinition } from '../handler.js';
import { compileTemplateMap, renderTemplateMap } from './templates.js';

/**
 * `header`: `headers` maps a header name to a template. The rendered headers replace any the
 * client sent under the same name (the proxy and decision API drop those, case-insensitively).
 */
export const headerMutator: Mutator<{ headers: Array<[string, CompiledTemplate]> }> = {
  id: 'header',
  configSchema: oathkeeperDefinition('configMutatorsHeader'),
  prepare(raw) {
    const compiled = compileTemplateMap('header', raw.headers);
    if (!compiled.ok) return compiled;
    return { ok: true, config: { headers: compiled.config.map(([k, t]) => [canonicalHeaderKey(k), t]) } };
  },
  handle(_request, session, config) {
    const rendered = renderTemplateMap(config.headers, session);
    if (rendered.kind === 'error') return rendered;
    return { kind: 'ok', headers: Object.fromEntries(rendered.values) };
  },
};
