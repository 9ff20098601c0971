/**
 * cli/cli-context — what every command gets: the streams, the environment,
 * a clock, and a lazily built API client (the global -H is only known after
 * parsing). Tests build one with fake streams. Imports client.
 */
import type { Readable, Writable } from 'node:stream';
import { DockerClient, type DockerClientOptions } from '../client/docker-client.js';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface CliContext extends CliIO {
  client(): DockerClient;
  now(): number;
  /** Write a line (adds "\n") to stdout. */
  print(line: string): void;
}

export function createCliContext(io: CliIO, host: () => string | undefined, tls: () => DockerClientOptions['tls'] = () => undefined): CliContext {
  let client: DockerClient | undefined;
  return {
    ...io,
    client: () => (client ??= new DockerClient({ host: host(), env: io.env, tls: tls() })),
    now: () => Date.now(),
    print: (line) => { io.stdout.write(`${line}\n`); },
  };
}
