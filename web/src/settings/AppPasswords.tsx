/**
 * Devices & sessions: the account's app passwords with their last activity; create one with a
 * name (the password is shown once, copyable), revoke one after a confirmation. Creating and
 * revoking need the login password: the page sends it as HTTP Basic credentials, so the server
 * itself checks it (and refuses an app password there).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { currentLanguage, t } from '../i18n';
import { basicAuth } from './basic';
import { ocs, OcsFailure } from './ocs';
import { Dialog, failureText, formatTime, Live, useRefocus, type Message } from './ui';

interface AppPassword { id: string; name: string; loginName: string; createdAt: number; lastActivity: number; current: boolean }
const API = '/apps/cumulus/api/v1/app-passwords';

function passwordFailure(err: unknown): string {
  if (err instanceof OcsFailure && (err.httpStatus === 401 || err.httpStatus === 403)) return t('settings.password.wrongCurrent');
  if (err instanceof OcsFailure && err.httpStatus === 429) return t('settings.password.throttled');
  return t('settings.failed', { message: failureText(err) });
}

export function AppPasswords({ user }: { user: SessionUser }) {
  const [list, setList] = useState<AppPassword[] | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; loginName: string; password: string } | null>(null);
  const [revoking, setRevoking] = useState<AppPassword | null>(null);
  const nameField = useRef<HTMLInputElement>(null);
  const refocus = useRefocus([list], () => nameField.current);

  const load = async () => {
    try {
      setList(await ocs<AppPassword[]>('GET', API));
    } catch (err) {
      setMessage({ kind: 'error', text: t('settings.failed', { message: failureText(err) }) });
      setList([]);
    }
  };
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (name.trim() === '') return setMessage({ kind: 'error', text: t('settings.devices.nameMissing') });
    if (password === '') return setMessage({ kind: 'error', text: t('settings.password.wrongCurrent') });
    setBusy(true);
    setMessage(null);
    try {
      const made = await ocs<AppPassword & { appPassword: string }>('POST', API, { name: name.trim() }, {
        headers: { Authorization: basicAuth(user.id, password) },
      });
      setCreated({ name: made.name, loginName: made.loginName, password: made.appPassword });
      setName('');
      setPassword('');
      await load();
    } catch (err) {
      setMessage({ kind: 'error', text: passwordFailure(err) });
    } finally {
      setBusy(false);
    }
  };

  const lang = currentLanguage();
  return (
    <>
      <p>{t('settings.devices.intro')}</p>
      {list === null ? <p role="status">{t('loading')}</p> : list.length === 0 ? <p>{t('settings.devices.none')}</p> : (
        <div class="table-scroll">
          <table class="data-table app-passwords">
            <caption class="visually-hidden">{t('settings.devices.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('settings.devices.name')}</th>
                <th scope="col">{t('settings.devices.lastActivity')}</th>
                <th scope="col"><span class="visually-hidden">{t('admin.users.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} data-id={p.id}>
                  <th scope="row" class="name">{p.name}</th>
                  <td>{formatTime(p.lastActivity * 1000, lang)}</td>
                  <td class="actions">
                    <button type="button" class="secondary danger" aria-label={t('settings.devices.revokeLabel', { name: p.name })}
                      onClick={() => setRevoking(p)}>{t('settings.devices.revoke')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="app-password-form" onSubmit={create}>
        <div class="field">
          <label for="app-password-name">{t('settings.devices.name')}</label>
          <input id="app-password-name" ref={nameField} type="text" value={name} maxLength={200} autocomplete="off"
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="app-password-confirm">{t('settings.password.current')}</label>
          <input id="app-password-confirm" type="password" value={password} autocomplete="current-password"
            aria-describedby="app-password-confirm-hint"
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
          <p id="app-password-confirm-hint" class="hint">{t('settings.devices.confirmText')}</p>
        </div>
        <button type="submit" class="primary" aria-disabled={busy}>{t('settings.devices.create')}</button>
      </form>
      <Live id="app-password-message" message={message} />
      {created && <NewPasswordDialog created={created} fallbackFocus={() => nameField.current} onClose={() => setCreated(null)} />}
      {revoking && (
        <RevokeDialog user={user} target={revoking} fallbackFocus={() => nameField.current}
          onClose={() => setRevoking(null)}
          onRevoked={async () => {
            refocus();
            setRevoking(null);
            setMessage({ kind: 'ok', text: t('settings.devices.revoked', { name: revoking.name }) });
            await load();
          }} />
      )}
    </>
  );
}

function NewPasswordDialog({ created, onClose, fallbackFocus }: {
  created: { name: string; loginName: string; password: string }; onClose: () => void; fallbackFocus: () => HTMLElement | null;
}) {
  const [copyMessage, setCopyMessage] = useState<Message>(null);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopyMessage({ kind: 'ok', text: t('settings.devices.copied') });
    } catch {
      setCopyMessage({ kind: 'error', text: t('settings.devices.copyFailed') });
    }
  };
  return (
    <Dialog title={t('settings.devices.newTitle')} onClose={onClose} describedBy="new-app-password-text" fallbackFocus={fallbackFocus}>
      <p id="new-app-password-text">{t('settings.devices.newText', { name: created.name })}</p>
      {([['new-app-password-login', t('settings.devices.login'), created.loginName],
        ['new-app-password', t('settings.devices.password'), created.password]] as const).map(([id, label, value]) => (
        <div class="field" key={id}>
          <label for={id}>{label}</label>
          <div class="field-row">
            <input id={id} type="text" readOnly value={value} class="mono" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
            <button type="button" class="secondary" aria-label={`${t('settings.devices.copy')}: ${label}`} onClick={() => copy(value)}>
              {t('settings.devices.copy')}
            </button>
          </div>
        </div>
      ))}
      <Live message={copyMessage} />
      <div class="sa-dialog-actions">
        <button type="button" class="primary" onClick={onClose}>{t('dialog.close')}</button>
      </div>
    </Dialog>
  );
}

function RevokeDialog({ user, target, onClose, onRevoked, fallbackFocus }: {
  user: SessionUser; target: AppPassword; onClose: () => void; onRevoked: () => void; fallbackFocus: () => HTMLElement | null;
}) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      await ocs('DELETE', `${API}/${encodeURIComponent(target.id)}`, {}, { headers: { Authorization: basicAuth(user.id, password) } });
      onRevoked();
    } catch (err) {
      setMessage({ kind: 'error', text: passwordFailure(err) });
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('settings.devices.revokeTitle')} onClose={onClose} role="alertdialog" describedBy="revoke-text" fallbackFocus={fallbackFocus}>
      <form onSubmit={submit}>
        <p id="revoke-text">{t('settings.devices.revokeText', { name: target.name })}</p>
        <div class="field">
          <label for="revoke-password">{t('settings.password.current')}</label>
          <input id="revoke-password" type="password" autocomplete="current-password" value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <Live message={message} />
        <div class="sa-dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>{t('dialog.cancel')}</button>
          <button type="submit" class="primary danger" aria-disabled={busy}>{t('settings.devices.revoke')}</button>
        </div>
      </form>
    </Dialog>
  );
}
