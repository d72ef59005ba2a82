// One JSON object per line on stderr: {ts, level, msg, room?, ...fields}. rtc-node's own pino
// lines go to stderr too (see rtc_logs.ts).

export type Level = 'debug' | 'info' | 'warn' | 'error';

export type Fields = Record<string, string | number | boolean | undefined>;

export function log(level: Level, msg: string, fields: Fields = {}): void {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields });
  process.stderr.write(line + '\n');
}

/** The message of anything thrown or rejected, for a log field. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
