import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};
const SKIP = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function quote(value: string): string {
  return /^[A-Za-z0-9_./:@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/** Renders one pino JSON line as logfmt, the way Kratos's `log.format: text` reads. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const parts = [
    `time=${quote(String(record.time ?? ''))}`,
    `level=${LEVELS[Number(record.level)] ?? String(record.level)}`,
    `msg=${quote(String(record.msg ?? ''))}`,
  ];
  for (const [key, value] of Object.entries(record)) {
    if (SKIP.has(key) || value === undefined) continue;
    parts.push(`${key}=${quote(typeof value === 'string' ? value : JSON.stringify(value))}`);
  }
  return parts.join(' ');
}

/** A destination that writes logfmt lines to `out`. */
export function textLogStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') out.write(`${formatLogLine(line)}\n`);
      }
      callback();
    },
  });
}
