/**
 * The account's own fields: display name and e-mail (each its own form, saved through
 * PUT /cloud/users/{id}), and the password change. The server sets a password only on a request
 * authenticated with the caller's login password (HTTP Basic), so the change is sent with the
 * current password; the page first checks it against the app-password list (401 for a wrong one,
 * and an app password typed in instead of the login password is marked in use there: refused).
 */
import { useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t } from '../i18n';
import { basicAuth } from './basic';
import { ocs, OcsFailure } from './ocs';
import { failureText, Live, type Message } from './ui';

export function FieldForm({ user, field, onSaved }: {
  user: SessionUser;
  field: 'displayname' | 'email';
  onSaved: (value: string) => void;
}) {
  const initial = field === 'displayname' ? user.displayName : user.email ?? '';
  const [value, setValue] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const id = `field-${field}`;
  const label = field === 'displayname' ? t('settings.displayName') : t('settings.email');

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const text = value.trim();
    if (field === 'email' && text !== '' && !/^[^\s@]+@[^\s@]+$/.test(text)) {
      setMessage({ kind: 'error', text: t('settings.email.invalid') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await ocs('PUT', `/cloud/users/${encodeURIComponent(user.id)}`, { key: field, value: text });
      onSaved(text);
      setMessage({ kind: 'ok', text: field === 'displayname' ? t('settings.displayName.saved') : t('settings.email.saved') });
    } catch (err) {
      setMessage({ kind: 'error', text: t('settings.failed', { message: failureText(err) }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="field-form" noValidate onSubmit={submit} aria-describedby={`${id}-message`}>
      <label for={id}>{label}</label>
      <div class="field-row">
        <input id={id} type={(field === 'email' ? 'email' : 'text') as 'text'} value={value} autocomplete={field === 'email' ? 'email' : 'name'}
          maxLength={field === 'email' ? 254 : 64}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="secondary" aria-disabled={busy}>{busy ? t('settings.saving') : t('settings.save')}</button>
      </div>
      <Live id={`${id}-message`} message={message} />
    </form>
  );
}

export function PasswordForm({ user }: { user: SessionUser }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!current || !next || !repeat) return setMessage({ kind: 'error', text: t('settings.password.missing') });
    if (next !== repeat) return setMessage({ kind: 'error', text: t('settings.password.mismatch') });
    setBusy(true);
    setMessage(null);
    try {
      const check = await verifyLoginPassword(user.id, current);
      if (check !== 'ok') {
        setMessage({ kind: 'error', text: check === 'throttled' ? t('settings.password.throttled') : t('settings.password.wrongCurrent') });
        return;
      }
      // The server takes a new password only on a request authenticated with the current one.
      await ocs('PUT', `/cloud/users/${encodeURIComponent(user.id)}`, { key: 'password', value: next }, {
        headers: { Authorization: basicAuth(user.id, current) },
      });
      setCurrent('');
      setNext('');
      setRepeat('');
      setMessage({ kind: 'ok', text: t('settings.password.changed') });
    } catch (err) {
      setMessage({ kind: 'error', text: t('settings.failed', { message: failureText(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, autocomplete: string) => (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="password" value={value} autocomplete={autocomplete}
        onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} />
    </div>
  );
  return (
    <form class="password-form" onSubmit={submit} aria-describedby="password-message">
      {/* A hidden user name helps password managers file the new password under the right account. */}
      <input type="text" class="visually-hidden" autocomplete="username" value={user.id} readOnly tabIndex={-1} aria-hidden="true" />
      {field('password-current', t('settings.password.current'), current, setCurrent, 'current-password')}
      {field('password-new', t('settings.password.new'), next, setNext, 'new-password')}
      {field('password-repeat', t('settings.password.repeat'), repeat, setRepeat, 'new-password')}
      <button type="submit" class="primary" aria-disabled={busy}>{busy ? t('settings.saving') : t('settings.password.change')}</button>
      <Live id="password-message" message={message} />
    </form>
  );
}

/**
 * Whether `password` is the account's login password: the server checks it (with its throttle)
 * as HTTP Basic credentials; an app password is refused here as it is by the sign-in page.
 */
export async function verifyLoginPassword(userId: string, password: string): Promise<'ok' | 'wrong' | 'throttled'> {
  try {
    const list = await ocs<{ current: boolean }[]>('GET', '/apps/cumulus/api/v1/app-passwords', {}, {
      headers: { Authorization: basicAuth(userId, password) },
    });
    return list.some((p) => p.current) ? 'wrong' : 'ok';
  } catch (err) {
    if (err instanceof OcsFailure && err.httpStatus === 429) return 'throttled';
    if (err instanceof OcsFailure && (err.httpStatus === 401 || err.httpStatus === 403)) return 'wrong';
    throw err;
  }
}
