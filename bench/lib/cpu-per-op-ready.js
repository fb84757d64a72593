/** Marks the line with a `cpu-per-op` child's URLs among whatever else it writes to stdout. */
export const READY = 'cpu-per-op-ready ';
