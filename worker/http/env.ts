/** The authenticated caller of a request. */
export interface AuthUser {
  id: string;
  displayName: string;
  email: string | null;
  /** Bytes; null = unlimited. */
  quota: number | null;
  isAdmin: boolean;
  /** How the caller authenticated: 'password' (login password), later 'app-password', 'session'. */
  via: 'password';
}

/** Hono environment of the whole app: bindings from wrangler.toml, per-request variables. */
export type AppEnv = {
  Bindings: Env;
  Variables: { user: AuthUser; requestId: string };
};
