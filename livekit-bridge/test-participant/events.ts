// stdout carries this process's events, one JSON object per line, and nothing else.
// Imported before @livekit/rtc-node: its pino logger (made when that package loads) writes to
// stdout, through process.stdout.write once that is replaced, so the replacement sends it to stderr.
process.env.NODE_ENV ??= 'production';

const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

export function emit(event: string, fields: Record<string, unknown> = {}): void {
  writeStdout(JSON.stringify({ event, ...fields }) + '\n');
}

/** This process's clock: every t_ms of its events. */
export function nowMs(): number {
  return performance.now();
}
