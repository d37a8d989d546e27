import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { within } from '../manager/helpers.js';

/**
 * Debian's redis-server for the tests: on a free loopback port, persistence off, in the foreground as our child
 * so that it is stopped by PID and dies with the test process. `.ci/run` installs it when it is missing.
 */
export class RedisServer {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart(extraArgs);
    return server;
  }

  /** Starts (again, on the same port): a restart without persistence loses every key. */
  async restart(extraArgs: string[] = []): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...extraArgs];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let output = '';
    await within(
      new Promise<void>((resolve, reject) => {
        child.once('error', (error) => reject(new Error(`cannot start redis-server (install it: apt-get install redis-server): ${error.message}`)));
        child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        });
      }),
      10_000,
      'redis-server to accept connections',
    );
    child.removeAllListeners('exit');
    child.stdout!.resume();
    child.stderr!.resume();
  }

  /** Stops the server by PID and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await within(exited, 10_000, 'redis-server to exit');
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
