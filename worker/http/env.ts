/** The authenticated caller of a request. */
export type AuthUser = {
  id: string;
  displayName: string;
  email: string | null;
  /** Bytes; null = unlimited. */
  quota: number | null;
  isAdmin: boolean;
  /** The login name the client sent (user id or e-mail, as typed). */
  loginName: string;
} & (
  /** How the caller authenticated. */
  | { via: 'password' }
  /** An app password; `appPasswordId` names it (DELETE /ocs/v2.php/core/apppassword revokes it). */
  | { via: 'app-password'; appPasswordId: string }
  /** A web app session cookie (worker/accounts/sessions.ts); `sessionHash` names the session. */
  | { via: 'session'; sessionHash: string }
);

/** Hono environment of the whole app: bindings from wrangler.toml, per-request variables. */
export type AppEnv = {
  Bindings: Env;
  Variables: { user: AuthUser; requestId: string };
};
