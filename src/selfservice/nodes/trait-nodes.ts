/**
 * The identity traits as form fields (Kratos's `container.NodesFromJSONSchema` over the identity
 * schema, followed by the flow's sort by schema order).
 */

import type { JsonObject } from '../../identity/model.js';
import type { UiInputNode, UiNodeGroup } from '../flow/index.js';
import { schemaKeysInOrder } from './schema-key-order.js';
import { listSchemaPaths } from './schema-paths.js';
import { sortNodes } from './sort.js';
import { traitInputNode } from './trait-node.js';
import { withValues } from './values.js';

/** Options of {@link traitNodes}. */
export interface TraitNodesOptions {
  /** The group the fields belong to: `default` in current Kratos, `profile` in settings. */
  group: UiNodeGroup;
  /** Traits to fill in, e.g. what was submitted before a validation error. */
  values?: JsonObject;
}

/**
 * One input per trait, named `traits.<path>` with dots for nested objects, in the order the
 * schema document lists them. Object and array-of-object traits get no field, as in Kratos.
 * Values are filled from `options.values`, except for any field named `password`.
 *
 * Unlike Kratos, fields outside `traits` (a schema may declare other root properties) are not
 * listed: the registration and settings bodies accept nothing else.
 *
 * @throws {SchemaCycleError} the schema refers back to itself.
 */
export function traitNodes(schemaDocument: JsonObject, options: TraitNodesOptions): UiInputNode[] {
  const nodes = listSchemaPaths(schemaDocument)
    .filter((path) => path.name.startsWith('traits.') && path.kind !== 'json')
    .map((path) => traitInputNode(path, options.group));
  // Kratos builds the fields in name order and its flow sort puts them in schema order.
  const ordered = sortNodes(nodes, [options.group], schemaKeysInOrder(schemaDocument));
  return options.values === undefined ? ordered : withValues(ordered, { traits: options.values });
}
