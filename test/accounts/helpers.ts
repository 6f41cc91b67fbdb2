/** Shared fixtures for the accounts and OCS tests. */
import { env, exports } from 'cloudflare:workers';
import { createFirstAdmin } from '../../worker/accounts/install';
import { createUser, type NewUser } from '../../worker/accounts/users';

export const BASE = 'http://cumulus.test';

/** An `Authorization` header value for Basic credentials, UTF-8 encoded. */
export function basic(login: string, password: string): string {
  const bytes = new TextEncoder().encode(`${login}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** Calls the whole worker (middleware, routes, error renderer) like a client would. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

/** Calls the worker as `login` with `password`, from a given client address. */
export function callAs(login: string, password: string, path: string, init: RequestInit = {}, ip = '192.0.2.1') {
  const headers = new Headers(init.headers);
  headers.set('Authorization', basic(login, password));
  headers.set('CF-Connecting-IP', ip);
  return call(path, { ...init, headers });
}

export const ADMIN = { id: 'admin', password: 'admin-password-1' };
export const ALICE = { id: 'alice', password: 'alice-password-1' };

/** Installs the instance with ADMIN (idempotent within a test file). */
export async function installAdmin(): Promise<void> {
  await createFirstAdmin(env, ADMIN);
}

/** Creates a user with defaults for what the test does not care about. */
export async function addUser(user: Partial<NewUser> & { id: string }): Promise<void> {
  await createUser(env, { password: `${user.id}-password-1`, ...user });
}

/** A form-encoded body and its content type. */
export function form(fields: Record<string, string | string[]>): RequestInit {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) body.append(k, item);
  return { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
}

/** An OCS answer as JSON. */
export type OcsAnswer<T = any> = { status: number; meta: { status: string; statuscode: number; message: string }; data: T };

/** Calls an OCS route as JSON (`format=json`) with an `Authorization` header value (or none). */
export async function ocsJson<T = any>(
  authorization: string | null, method: string, path: string, init: RequestInit = {}, ip = '192.0.2.1',
): Promise<OcsAnswer<T>> {
  const headers = new Headers(init.headers);
  headers.set('OCS-APIRequest', 'true');
  headers.set('CF-Connecting-IP', ip);
  if (authorization) headers.set('Authorization', authorization);
  const url = `${path}${path.includes('?') ? '&' : '?'}format=json`;
  const res = await call(url, { ...init, method, headers });
  const body = await res.json<{ ocs: Omit<OcsAnswer<T>, 'status'> }>();
  return { status: res.status, ...body.ocs };
}

/** PROPFIND Depth 0 of a user's files root, as the desktop client checks its credentials. */
export function propfindRoot(user: string, authorization: string, ip = '192.0.2.1'): Promise<Response> {
  return call(`/remote.php/dav/files/${encodeURIComponent(user)}/`, {
    method: 'PROPFIND',
    headers: { Authorization: authorization, Depth: '0', 'CF-Connecting-IP': ip },
  });
}
