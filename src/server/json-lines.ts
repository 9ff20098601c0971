/**
 * server/json-lines — streaming JSON-lines responses (pull, push progress):
 * the 200 header goes out with the first message, so a failure before any
 * progress still gets a proper error status. Also decodes X-Registry-Auth.
 */
import type { ServerResponse } from 'node:http';
import { invalidArgument } from '../errdefs/errors.js';
import type { AuthConfig, JSONMessage } from '../api/types.js';
import { parseClientJson } from '../lib/client-json.js';
import { decodeWire } from './wire-decode.js';
import { AUTH_CONFIG } from './wire-schemas.js';

export interface JsonLinesWriter {
  readonly started: boolean;
  write: (m: JSONMessage) => void;
  end: () => void;
}

export function jsonLines(res: ServerResponse): JsonLinesWriter {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'application/json' });
  };
  return {
    get started() { return started; },
    write: (m) => { start(); if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(m) + '\r\n'); },
    end: () => { start(); res.end(); },
  };
}

/** X-Registry-Auth: base64url (or standard base64) JSON; empty or `{}` means anonymous. */
export function registryAuth(header: string | string[] | undefined): AuthConfig | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h || !h.trim()) return undefined;
  const b64 = h.trim().replace(/-/g, '+').replace(/_/g, '/');
  let parsed: unknown;
  try { parsed = parseClientJson(Buffer.from(b64, 'base64').toString('utf8')); } catch (e) {
    throw invalidArgument(`invalid X-Registry-Auth header: ${(e as Error).message.replace(/^invalid JSON: /, '')}`, 'INVALID_JSON', e);
  }
  // dockerd decodes the header into its AuthConfig and, when that fails, pulls anonymously;
  // berth refuses what it cannot read (garbage above, wrong field types here) rather than guess
  const auth = decodeWire<AuthConfig | null>(parsed, AUTH_CONFIG, 'invalid X-Registry-Auth header: ');
  if (!auth || typeof auth !== 'object' || Array.isArray(auth)) return undefined;
  return auth;
}
