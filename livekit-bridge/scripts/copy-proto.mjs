// Copies the bridge's contract into dist/, so that dist/ runs on its own.
import { copyFileSync } from 'node:fs';
copyFileSync(
  new URL('../../proto/src/main/proto/livekit_bridge.proto', import.meta.url),
  new URL('../dist/livekit_bridge.proto', import.meta.url),
);
