/**
 * OCS calls of the settings and admin pages (`/ocs/v2.php/…?format=json` with the session cookie
 * and requesttoken): the data of a success envelope, or an OcsFailure with Nextcloud's status code
 * and message.
 */
import { apiFetch } from '../api';

export class OcsFailure extends Error {
  constructor(readonly httpStatus: number, readonly statuscode: number, message: string) {
    super(message || `HTTP ${httpStatus}`);
  }
}

export type OcsParams = Record<string, string | string[] | undefined>;

/** Calls `path` below /ocs/v2.php; params go into the query (GET) or a form-encoded body. */
export async function ocs<T>(method: string, path: string, params: OcsParams = {}, init: RequestInit = {}): Promise<T> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) form.append(`${key}[]`, v);
    else form.set(key, value);
  }
  const query = new URLSearchParams(method === 'GET' ? form : undefined);
  query.set('format', 'json');
  const headers = new Headers(init.headers);
  headers.set('OCS-APIRequest', 'true');
  headers.set('Accept', 'application/json');
  if (method !== 'GET') headers.set('Content-Type', 'application/x-www-form-urlencoded');
  const res = await apiFetch(`/ocs/v2.php${path}?${query}`, {
    ...init, method, headers, ...(method === 'GET' ? {} : { body: form.toString() }),
  });
  let body: { ocs?: { meta?: { status?: string; statuscode?: number; message?: string }; data?: unknown } } | null = null;
  try {
    body = await res.json();
  } catch {
    // not an OCS answer (a proxy error page…)
  }
  const meta = body?.ocs?.meta;
  if (!res.ok || meta?.status !== 'ok') throw new OcsFailure(res.status, meta?.statuscode ?? res.status, meta?.message ?? '');
  return body!.ocs!.data as T;
}

/** The quota object of Nextcloud's user details (bytes; negative total = unlimited). */
export interface QuotaInfo { free: number; used: number; total: number; relative: number; quota: number }

/** A user as the provisioning API describes it (the fields the pages use). */
export interface UserDetails {
  id: string;
  displayname: string;
  email: string | null;
  enabled: boolean;
  groups: string[];
  quota: QuotaInfo;
  lastLogin: number;
}

/** GET /cloud/user: the caller's own details. */
export function ownDetails(): Promise<UserDetails> {
  return ocs<UserDetails>('GET', '/cloud/user');
}

/** Whether the user's quota is unlimited (Nextcloud reports -3). */
export function unlimited(quota: QuotaInfo): boolean {
  return !(quota.quota >= 0 && quota.total >= 0);
}
