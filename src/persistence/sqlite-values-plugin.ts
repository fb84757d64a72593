import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';
import { toSqliteValue } from './sqlite-statement-cache.js';

/**
 * Statements whose values are all bound as parameters (no `sql.lit` in our stores): for them the
 * statement cache (`withStatementCache`) converts booleans and Dates on the flat parameter list
 * of each execution, which costs far less than rebuilding the operation tree of every query here.
 */
const BOUND_AT_EXECUTION = new Set<RootOperationNode['kind']>([
  'SelectQueryNode',
  'InsertQueryNode',
  'UpdateQueryNode',
  'DeleteQueryNode',
]);

/**
 * better-sqlite3 binds only numbers, strings, bigints, buffers and null. Stores bind the
 * same JS values on both engines, so booleans become 0/1 and Dates ISO strings on the way into
 * SQLite (row codecs turn them back on the way out): for queries, where they are bound (the
 * statement cache); for everything else (schema changes, whose defaults are inlined into the SQL
 * text, and raw SQL), by this plugin rewriting the values in the query's tree.
 */
export class SqliteValuesPlugin implements KyselyPlugin {
  readonly #transformer = new SqliteValueTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (BOUND_AT_EXECUTION.has(args.node.kind)) return args.node;
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class SqliteValueTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return { ...node, value: toSqliteValue(node.value) };
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...node, values: node.values.map(toSqliteValue) };
  }
}
