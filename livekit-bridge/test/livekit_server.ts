// A real LiveKit server (v1.13.5, `go install github.com/livekit/livekit-server/cmd/server@v1.13.5`)
// in dev mode on free loopback ports, for one test run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const API_KEY = 'devkey';
export const API_SECRET = 'secret';

export interface LiveKitServer {
  url: string;
  logTail(): string;
  stop(): Promise<void>;
}

export function serverBinary(): string {
  const binary = process.env.LIVEKIT_SERVER_BIN || join(homedir(), 'go', 'bin', 'server');
  if (!existsSync(binary)) {
    throw new Error(
      `no LiveKit server at ${binary}: set LIVEKIT_SERVER_BIN or run ` +
        '`go install github.com/livekit/livekit-server/cmd/server@v1.13.5`',
    );
  }
  return binary;
}

export async function startLiveKitServer(): Promise<LiveKitServer> {
  const dir = mkdtempSync(join(tmpdir(), 'livekit-test-'));
  const [httpPort, tcpPort] = [await freeTcpPort(), await freeTcpPort()];
  const udpPort = await freeUdpPort();
  // Strict YAML: v1.13.5 refuses unknown keys. stun_servers points at loopback so that the server
  // hands clients no public STUN servers; enable_loopback_candidate lets ICE use 127.0.0.1.
  const config = `keys:
  ${API_KEY}: ${API_SECRET}
port: ${httpPort}
logging:
  level: info
rtc:
  tcp_port: ${tcpPort}
  udp_port: ${udpPort}
  enable_loopback_candidate: true
  stun_servers: ["127.0.0.1:3478"]
`;
  const configPath = join(dir, 'livekit.yaml');
  writeFileSync(configPath, config);
  const logPath = join(dir, 'server.log');
  const logFd = openSync(logPath, 'w');
  const child = spawn(
    serverBinary(),
    ['--dev', '--bind', '127.0.0.1', '--node-ip', '127.0.0.1', '--config', configPath],
    { stdio: ['ignore', logFd, logFd] },
  );
  const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
  const stop = () => stopProcess(child);
  try {
    await waitUntilServing(`http://127.0.0.1:${httpPort}/`, child);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server log ---\n${logTail()}`);
  }
  return { url: `ws://127.0.0.1:${httpPort}`, logTail, stop };
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`LiveKit server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`LiveKit server did not answer 200 on ${url} within 30 s`);
}

export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
