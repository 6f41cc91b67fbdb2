/**
 * The sign-in page (in the shell chunk: it is the first thing a visitor sees). Errors are
 * announced (role="alert") and the password field is cleared; the login name is kept. A skip link
 * to the main content comes first, as on every other page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn } from '../api';
import { t } from '../i18n';
import { SkipLink } from '../shell/SkipLink';

export function LoginPage({ onSignedIn }: { onSignedIn: (redirect: string | null) => void }) {
  const params = new URLSearchParams(location.search);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const userField = useRef<HTMLInputElement>(null);
  const passwordField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = `${t('login.title')}`;
    userField.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!user.trim() || !password) {
      setError(t('login.missing'));
      return;
    }
    setBusy(true);
    setError('');
    let result;
    try {
      result = await signIn(user.trim(), password);
    } catch {
      result = { ok: false as const, status: 0 };
    }
    setBusy(false);
    if (result.ok) {
      onSignedIn(params.get('redirect_url'));
      return;
    }
    setPassword('');
    if (result.status === 429) setError(t('login.throttled', { seconds: result.retryAfter ?? 30 }));
    else if (result.status === 401) setError(t('login.wrong'));
    else setError(t('login.failed', { status: result.status }));
    passwordField.current?.focus();
  };

  return (
    <>
      <SkipLink />
      <main id="main" class="login" tabIndex={-1}>
        <div class="login-card">
          <p class="brand" aria-hidden="true">☁ {t('app.name')}</p>
          <h1>{t('login.title')}</h1>
          {params.has('loggedout') && !error && <p class="notice" role="status">{t('login.loggedOut')}</p>}
          <form onSubmit={submit} noValidate>
            <label for="login-user">{t('login.user')}</label>
            <input id="login-user" ref={userField} name="user" autocomplete="username" autocapitalize="none"
              spellcheck={false} required value={user} aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
              onInput={(e) => setUser((e.currentTarget as HTMLInputElement).value)} />
            <label for="login-password">{t('login.password')}</label>
            <input id="login-password" ref={passwordField} name="password" type="password" autocomplete="current-password"
              required value={password} aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
              onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
            <div id="login-error" class="error" role="alert" hidden={!error}>{error}</div>
            <button type="submit" class="primary" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
          </form>
        </div>
      </main>
    </>
  );
}
