import type { ColumnDataType } from 'kysely';

export type Engine = 'postgres' | 'sqlite';

/** Column types per engine, so one migration file serves both. */
export function columnTypes(engine: Engine): {
  json: ColumnDataType;
  timestamp: ColumnDataType;
  bool: ColumnDataType;
} {
  return engine === 'postgres'
    ? { json: 'jsonb', timestamp: 'timestamptz', bool: 'boolean' }
    : { json: 'text', timestamp: 'text', bool: 'integer' };
}
