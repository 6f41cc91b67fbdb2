/**
 * Basic credentials of any kind: an app password when the secret is one, else the login password.
 * Protocol-neutral; auth.ts turns the result into HTTP.
 */
import { appPasswordLogin } from './app-password-login';
import { login, type Credentials, type LoginContext, type LoginResult } from './login';

/** Checks credentials as an app password, then as a login password; never throws for bad ones. */
export async function authenticate(env: Env, credentials: Credentials, context: LoginContext): Promise<LoginResult> {
  // A token-shaped secret that matches no app password may still be someone's login password;
  // login() then pays PBKDF2 and counts the failure, so a revoked token is throttled like a guess.
  return (await appPasswordLogin(env, credentials, context)) ?? login(env, credentials, context);
}
