import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function versionIn(packageJsonPath: string): string {
  return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
}

/** This package's version (dist/ sits beside package.json). */
export function bridgeVersion(): string {
  return versionIn(fileURLToPath(new URL('../package.json', import.meta.url)));
}

/** The installed @livekit/rtc-node version; its exports map hides package.json, so find it by path. */
export function rtcNodeVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@livekit/rtc-node'); // …/rtc-node/dist/index.cjs
  return versionIn(join(dirname(entry), '..', 'package.json'));
}
