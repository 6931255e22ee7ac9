/**
 * Command-line options of `npm run bench` (see bench.ts) and the time limit of one ferry run.
 */
import { parseArgs } from 'node:util';
import { DIRECTION_IDS, type DirectionId } from './bench-reference.js';

/** Temporal dev server port of the bench unless --port is given; the Web UI is then on 8277. */
export const DEFAULT_PORT = 7277;

/** What one bench run measures. */
export interface Options {
  rows: number;
  rounds: number;
  directions: DirectionId[];
  keepData: boolean;
  inlineData: boolean;
  port: number;
}

/** Parses and checks the command line; prints usage and exits on --help. */
export function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      // Three: the median is then one real run. A single 1M-row PG→PG run varies by ±15% on two cores,
      // and two rounds only averaged two such runs against a bar of 1.0×.
      rounds: { type: 'string', default: '3' },
      directions: { type: 'string', default: DIRECTION_IDS.join(',') },
      'keep-data': { type: 'boolean', default: false },
      'inline-data': { type: 'boolean', default: false },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench [-- --rows N (1000000) --rounds K (3) --directions pg-pg,mysql-pg,mysql-mysql,pg-mysql --keep-data --inline-data --port P (7277)]',
    );
    process.exit(0);
  }
  const rows = Number(values.rows.replace(/[_,]/g, ''));
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${values.rows}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw new Error(`--port must be a TCP port number, got ${values.port}`);
  const directions = values.directions.split(',').map((d) => d.trim().replace('postgres', 'pg').replace('mariadb', 'mysql'));
  for (const d of directions) {
    if (!DIRECTION_IDS.includes(d as DirectionId)) throw new Error(`unknown direction ${d}; use ${DIRECTION_IDS.join(', ')}`);
  }
  return { rows, rounds, directions: directions as DirectionId[], keepData: values['keep-data'], inlineData: values['inline-data'], port };
}

/** Kills a `ferry migrate --wait` that runs this long, so a stuck run cannot hang the bench. */
export function ferryTimeoutMs(rows: number): number {
  return 120_000 + (rows / 1_000_000) * 600_000;
}
