/**
 * The login flows service (Nextcloud Login Flow v1 and v2): the only code that writes login_flows.
 * A flow is started by a client, opened in a browser (bound to that browser by a cookie), signed
 * in to, and granted. v2 clients then poll once for the credentials; v1 gets them by redirect.
 * Protocol-neutral: login-flow-routes.ts turns this into HTTP and HTML.
 */
import { and, eq, gt, isNotNull, lte, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { loginFlows } from '../../schema/accounts';
import { insertAppPasswordForFlow, mintAppPassword, normalizeAppPasswordName } from './app-passwords';
import { randomAlphanumeric, sameHash, sha256Hex } from './tokens';

/** A flow dies 20 minutes after it was started (as Nextcloud's). */
export const FLOW_TTL_MS = 20 * 60 * 1000;
/** Login and poll tokens: 128 alphanumerics, as Nextcloud's (> 700 bits). */
export const FLOW_TOKEN_LENGTH = 128;
const FORM_TOKEN_LENGTH = 48;

export type FlowVersion = 1 | 2;
export type LoginFlow = typeof loginFlows.$inferSelect;

/** Whether a string has the shape of a login or poll token (checked before any hashing or query). */
export function isFlowToken(token: string): boolean {
  return token.length === FLOW_TOKEN_LENGTH && /^[A-Za-z0-9]+$/.test(token);
}

/** Starts a flow for the client named `clientName`; v2 also gets a poll token. Tokens exist only in the answer. */
export async function startLoginFlow(
  env: Env, version: FlowVersion, clientName: string, now: number,
): Promise<{ loginToken: string; pollToken: string | null; flow: LoginFlow }> {
  const loginToken = randomAlphanumeric(FLOW_TOKEN_LENGTH);
  const pollToken = version === 2 ? randomAlphanumeric(FLOW_TOKEN_LENGTH) : null;
  const flow = await drizzle(env.DB).insert(loginFlows).values({
    loginTokenHash: await sha256Hex(loginToken),
    pollTokenHash: pollToken === null ? null : await sha256Hex(pollToken),
    version,
    clientName: normalizeAppPasswordName(clientName),
    createdAt: now,
    expiresAt: now + FLOW_TTL_MS,
  }).returning().get();
  return { loginToken, pollToken, flow };
}

/** The live flow of this version with this login token, or null (unknown, expired, or malformed). */
export async function findLoginFlow(env: Env, version: FlowVersion, loginToken: string, now: number): Promise<LoginFlow | null> {
  if (!isFlowToken(loginToken)) return null;
  const row = await drizzle(env.DB).select().from(loginFlows)
    .where(and(live(now), eq(loginFlows.loginTokenHash, await sha256Hex(loginToken)), eq(loginFlows.version, version)))
    .get();
  return row ?? null;
}

/**
 * Shows the flow's page to the browser holding `browserSecret`: binds the flow to that browser
 * and issues a new form token. Another browser taking over the link starts again from sign-in.
 * Returns the form token and whether this browser has already signed in.
 */
export async function openLoginFlowPage(
  env: Env, flow: LoginFlow, browserSecret: string, now: number,
): Promise<{ formToken: string; signedIn: boolean }> {
  const browserHash = await sha256Hex(browserSecret);
  const sameBrowser = flow.browserHash !== null && sameHash(flow.browserHash, browserHash);
  const formToken = randomAlphanumeric(FORM_TOKEN_LENGTH);
  await drizzle(env.DB).update(loginFlows)
    .set({
      browserHash, csrfHash: await sha256Hex(formToken),
      ...(sameBrowser ? {} : { userId: null, loginName: null }),
    })
    // A granted flow keeps its user until the client polls, whoever opens the link.
    .where(and(live(now), eq(loginFlows.loginTokenHash, flow.loginTokenHash), eq(loginFlows.granted, false)));
  return { formToken, signedIn: sameBrowser && flow.userId !== null };
}

/** Why a form post on a flow is refused, or null when it comes from the bound browser with the current form token. */
export async function checkFlowForm(
  flow: LoginFlow, browserSecret: string | undefined, formToken: string | undefined,
): Promise<'other-browser' | 'bad-form-token' | null> {
  if (flow.browserHash === null || browserSecret === undefined
    || !sameHash(flow.browserHash, await sha256Hex(browserSecret))) return 'other-browser';
  if (flow.csrfHash === null || formToken === undefined
    || !sameHash(flow.csrfHash, await sha256Hex(formToken))) return 'bad-form-token';
  return null;
}

/** Records that the bound browser signed in as `userId` with `loginName`. */
export async function recordFlowSignIn(env: Env, flow: LoginFlow, userId: string, loginName: string, now: number): Promise<void> {
  await drizzle(env.DB).update(loginFlows).set({ userId, loginName })
    .where(and(live(now), eq(loginFlows.loginTokenHash, flow.loginTokenHash)));
}

/** v2: grants access; the next poll takes the credentials. False if the flow died or nobody signed in. */
export async function grantLoginFlow(env: Env, flow: LoginFlow, now: number): Promise<boolean> {
  const row = await drizzle(env.DB).update(loginFlows).set({ granted: true, csrfHash: null })
    .where(and(live(now), eq(loginFlows.loginTokenHash, flow.loginTokenHash), isNotNull(loginFlows.userId)))
    .returning({ granted: loginFlows.granted }).get();
  return row !== undefined;
}

/** Credentials a client receives once. */
export interface FlowCredentials { loginName: string; appPassword: string }

/** v1: grants access and ends the flow at once, creating the app password for the redirect. */
export async function completeLoginFlowV1(env: Env, flow: LoginFlow, now: number): Promise<FlowCredentials | null> {
  return claim(env, and(
    live(now), eq(loginFlows.loginTokenHash, flow.loginTokenHash), eq(loginFlows.version, 1), isNotNull(loginFlows.userId),
  ), now);
}

/**
 * v2: the credentials of a granted flow, exactly once — the app password is created now and the
 * flow deleted in the same batch. Null until granted, and for unknown, used or expired tokens.
 */
export async function pollLoginFlow(env: Env, pollToken: string, now: number): Promise<FlowCredentials | null> {
  if (!isFlowToken(pollToken)) return null;
  return claim(env, and(
    live(now), eq(loginFlows.pollTokenHash, await sha256Hex(pollToken)), eq(loginFlows.granted, true),
    isNotNull(loginFlows.userId),
  ), now);
}

/** Cron job: expired flows can never complete; their rows only take space. */
export async function purgeExpiredLoginFlows(env: Env, now: Date): Promise<void> {
  await drizzle(env.DB).delete(loginFlows).where(lte(loginFlows.expiresAt, now.getTime()));
}

function live(now: number): SQL {
  return gt(loginFlows.expiresAt, now);
}

// D1 runs a batch as one transaction: of two concurrent claims, only the first finds the flow,
// so only it inserts an app password and sees a deleted row.
async function claim(env: Env, flow: SQL | undefined, now: number): Promise<FlowCredentials | null> {
  const db = drizzle(env.DB);
  const minted = await mintAppPassword(now);
  const [, deleted] = await db.batch([
    insertAppPasswordForFlow(db, flow, minted),
    db.delete(loginFlows).where(flow).returning({ loginName: loginFlows.loginName }),
  ]);
  const loginName = deleted[0]?.loginName;
  return loginName ? { loginName, appPassword: minted.token } : null;
}
