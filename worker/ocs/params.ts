/**
 * Request parameters of an OCS call, merged as Nextcloud does: the query string, overridden by
 * the body — form-encoded (what Nextcloud clients send), multipart, or a JSON object.
 */
import type { Context } from 'hono';
import { OcsError } from './envelope';

/** Named parameters; list parameters are written `groups[]=a&groups[]=b` or a JSON array. */
export interface OcsParams {
  /** The (last) value of a parameter, or undefined when absent. */
  get(name: string): string | undefined;
  /** Every value of a parameter (empty when absent). */
  getAll(name: string): string[];
}

const BAD_BODY = 400;

/** Reads query and body; a body that cannot be parsed is an OCS 400, never a 500. */
export async function readParams(c: Context): Promise<OcsParams> {
  const values = new Map<string, string[]>();
  const put = (key: string, list: string[]) => values.set(key.replace(/\[\d*\]$/, ''), list);
  for (const [key, list] of Object.entries(c.req.queries())) put(key, list);

  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  if (type.includes('application/json')) {
    for (const [key, list] of Object.entries(await readJsonObject(c))) put(key, list);
  } else if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch {
      throw new OcsError(BAD_BODY, 'Malformed form body');
    }
    for (const [key, value] of Object.entries(body)) {
      // Uploaded files are not parameters of any OCS call here.
      put(key, (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string'));
    }
  }
  return {
    get: (name) => values.get(name)?.at(-1),
    getAll: (name) => values.get(name) ?? [],
  };
}

async function readJsonObject(c: Context): Promise<Record<string, string[]>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OcsError(BAD_BODY, 'Malformed JSON body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OcsError(BAD_BODY, 'The JSON body must be an object');
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
      throw new OcsError(BAD_BODY, `Parameter ${key} must be a string, a number or a list of them`);
    }
    out[key] = list.map(String);
  }
  return out;
}

/** `search`, `limit` and `offset` of a list call; limit/offset must be non-negative integers. */
export function listOptions(params: OcsParams): { search: string; limit?: number; offset: number } {
  const number = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === undefined || raw === '') return undefined;
    if (!/^\d{1,9}$/.test(raw)) throw new OcsError(101, `Invalid ${name}: ${raw}`);
    return Number(raw);
  };
  return { search: params.get('search') ?? '', limit: number('limit'), offset: number('offset') ?? 0 };
}
