/**
 * Admin: the users page (/settings/users). A searchable, paged table of users with their display
 * name, e-mail, quota and used space, groups and state; a dialog creates a user (id, display name,
 * e-mail, password, groups, quota), another edits one (quota, groups, names), disable/enable, and
 * delete after a confirmation. Everything goes through the provisioning API, which refuses
 * non-admins itself.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { currentLanguage, t } from '../i18n';
import { ocs, unlimited, type UserDetails } from '../settings/ocs';
import { basicAuth } from '../settings/basic';
import { Dialog, failureText, formatBytes, Live, useRefocus, type Message } from '../settings/ui';

const PAGE = 25;

interface Group { id: string; displayname: string; usercount: number; canRemove: boolean }

export function listGroups(): Promise<Group[]> {
  return ocs<{ groups: Group[] }>('GET', '/cloud/groups/details').then((d) => d.groups);
}

function quotaText(user: UserDetails): string {
  if (unlimited(user.quota)) return t('admin.users.unlimited');
  return formatBytes(user.quota.total);
}

function usageText(user: UserDetails): string {
  return unlimited(user.quota) ? formatBytes(user.quota.used)
    : t('admin.users.usage', { used: formatBytes(user.quota.used), total: formatBytes(user.quota.total) });
}

export function UsersPage({ user: me }: { user: SessionUser }) {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const [users, setUsers] = useState<UserDetails[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [groups, setGroups] = useState<Group[]>([]);
  const [message, setMessage] = useState<Message>(null);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'edit' | 'delete'; user: UserDetails } | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const generation = useRef(0);
  const refocus = useRefocus([users], () => newButton.current);

  useEffect(() => { document.title = `${t('admin.users.title')} - ${t('app.name')}`; }, [currentLanguage()]);

  const load = async () => {
    const mine = ++generation.current;
    try {
      // One more than a page tells whether there is a next page.
      const data = await ocs<{ users: Record<string, UserDetails> | UserDetails[] }>('GET', '/cloud/users/details', {
        search, limit: String(PAGE + 1), offset: String(page * PAGE),
      });
      if (mine !== generation.current) return;
      const list = Object.values(data.users);
      setHasMore(list.length > PAGE);
      setUsers(list.slice(0, PAGE));
    } catch (err) {
      if (mine !== generation.current) return;
      setUsers([]);
      setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
    }
  };
  const loadGroups = () => listGroups().then(setGroups, (err) => setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) }));

  useEffect(() => {
    const timer = setTimeout(() => void load(), search ? 250 : 0);
    return () => clearTimeout(timer);
  }, [search, page]);
  useEffect(() => void loadGroups(), []);

  const act = async (work: () => Promise<unknown>, ok: string) => {
    try {
      await work();
      setMessage({ kind: 'ok', text: ok });
    } catch (err) {
      setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
    }
    await load();
  };

  const setEnabled = (user: UserDetails, enabled: boolean) => act(
    () => ocs('PUT', `/cloud/users/${encodeURIComponent(user.id)}/${enabled ? 'enable' : 'disable'}`),
    t(enabled ? 'admin.users.enabledMsg' : 'admin.users.disabledMsg', { id: user.id }),
  );

  return (
    <div class="page admin users-admin">
      <h1>{t('admin.users.title')}</h1>
      <div class="toolbar">
        <div class="field search-users">
          <label for="user-search">{t('admin.users.search')}</label>
          <input id="user-search" type="search" value={search} autocomplete="off" onInput={(e) => {
            setSearch((e.currentTarget as HTMLInputElement).value);
            setPage(0);
          }} />
        </div>
        <button ref={newButton} type="button" class="primary" onClick={() => setDialog({ kind: 'create' })}>{t('admin.users.new')}</button>
      </div>
      <Live id="users-message" message={message} />
      {users === null ? <p role="status">{t('admin.users.loading')}</p> : users.length === 0 ? <p>{t('admin.users.none')}</p> : (
        <div class="table-scroll">
          <table class="data-table users-table">
            <caption class="visually-hidden">{t('admin.users.caption', { page: page + 1 })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.id')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                <th scope="col">{t('admin.users.quota')}</th>
                <th scope="col">{t('admin.users.groups')}</th>
                <th scope="col">{t('admin.users.status')}</th>
                <th scope="col">{t('admin.users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user={u.id} class={u.enabled ? '' : 'disabled'}>
                  <th scope="row">
                    <span class="display-name">{u.displayname}</span>
                    <span class="user-id">{u.id}{u.id === me.id ? ` (${t('admin.users.self')})` : ''}</span>
                  </th>
                  <td class="email">{u.email ?? ''}</td>
                  <td class="quota-cell">
                    <span class="quota-total">{quotaText(u)}</span>
                    <span class="quota-used">{t('admin.users.used')}: {usageText(u)}</span>
                    {!unlimited(u.quota) && (
                      <meter min={0} max={u.quota.total} value={Math.min(u.quota.used, u.quota.total)}
                        aria-label={`${t('admin.users.used')} ${u.id}: ${usageText(u)}`} />
                    )}
                  </td>
                  <td class="groups">{u.groups.join(', ')}</td>
                  <td class="status">{u.enabled ? t('admin.users.active') : t('admin.users.disabled')}</td>
                  <td class="actions">
                    <button type="button" class="secondary" aria-label={t('admin.users.editFor', { id: u.id })}
                      onClick={() => setDialog({ kind: 'edit', user: u })}>{t('admin.users.edit')}</button>
                    {u.id !== me.id && (
                      <>
                        <button type="button" class="secondary" aria-label={t(u.enabled ? 'admin.users.disableFor' : 'admin.users.enableFor', { id: u.id })}
                          onClick={() => setEnabled(u, !u.enabled)}>{u.enabled ? t('admin.users.disable') : t('admin.users.enable')}</button>
                        <button type="button" class="secondary danger" aria-label={t('admin.users.deleteFor', { id: u.id })}
                          onClick={() => setDialog({ kind: 'delete', user: u })}>{t('admin.users.delete')}</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(page > 0 || hasMore) && (
        <nav class="pager" aria-label={t('admin.users.caption', { page: page + 1 })}>
          <button type="button" class="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>{t('admin.users.previous')}</button>
          <span>{t('admin.users.page', { page: page + 1 })}</span>
          <button type="button" class="secondary" disabled={!hasMore} onClick={() => setPage(page + 1)}>{t('admin.users.next')}</button>
        </nav>
      )}
      {dialog?.kind === 'create' && (
        <UserDialog groups={groups} onClose={() => setDialog(null)} onDone={async (id) => {
          setDialog(null);
          setMessage({ kind: 'ok', text: t('admin.users.created', { id }) });
          await Promise.all([load(), loadGroups()]);
        }} />
      )}
      {dialog?.kind === 'edit' && (
        <UserDialog groups={groups} user={dialog.user} me={me} self={dialog.user.id === me.id} onClose={() => setDialog(null)} onDone={async (id) => {
          setDialog(null);
          setMessage({ kind: 'ok', text: t('admin.users.saved', { id }) });
          await Promise.all([load(), loadGroups()]);
        }} />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog title={t('admin.users.deleteTitle', { id: dialog.user.id })} text={t('admin.users.deleteText')}
          action={t('dialog.delete')} fallbackFocus={() => newButton.current} onClose={() => setDialog(null)}
          onConfirm={async () => {
            const id = dialog.user.id;
            refocus();
            setDialog(null);
            await act(() => ocs('DELETE', `/cloud/users/${encodeURIComponent(id)}`), t('admin.users.deleted', { id }));
          }} />
      )}
    </div>
  );
}

/** Creates a user, or edits one (display name, e-mail, quota, groups). */
function UserDialog({ groups, user, me, self, onClose, onDone }: {
  groups: Group[]; user?: UserDetails; me?: SessionUser; self?: boolean; onClose: () => void; onDone: (id: string) => void;
}) {
  const [confirm, setConfirm] = useState('');
  const [id, setId] = useState(user?.id ?? '');
  const [displayName, setDisplayName] = useState(user?.displayname ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [quota, setQuota] = useState(user && !unlimited(user.quota) ? formatBytes(user.quota.total) : '');
  const [chosen, setChosen] = useState<string[]>(user?.groups ?? []);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    try {
      if (!user) {
        await ocs('POST', '/cloud/users', {
          userid: id.trim(), password, displayName: displayName.trim(), email: email.trim(),
          groups: chosen, quota: quota.trim() || undefined,
        });
        onDone(id.trim());
        return;
      }
      const path = `/cloud/users/${encodeURIComponent(user.id)}`;
      const edits: [string, string][] = [];
      if (displayName.trim() !== user.displayname) edits.push(['displayname', displayName.trim()]);
      if (email.trim() !== (user.email ?? '')) edits.push(['email', email.trim()]);
      const oldQuota = !unlimited(user.quota) ? formatBytes(user.quota.total) : '';
      if (quota.trim() !== oldQuota) edits.push(['quota', quota.trim() || 'none']);
      for (const [key, value] of edits) await ocs('PUT', path, { key, value });
      // A new password is set only on a request authenticated with the admin's own password.
      if (password !== '') await ocs('PUT', path, { key: 'password', value: password }, { headers: { Authorization: basicAuth(me!.id, confirm) } });
      for (const g of chosen.filter((g) => !user.groups.includes(g))) await ocs('POST', `${path}/groups`, { groupid: g });
      for (const g of user.groups.filter((g) => !chosen.includes(g))) await ocs('DELETE', `${path}/groups`, { groupid: g });
      onDone(user.id);
    } catch (err) {
      setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
      setBusy(false);
    }
  };

  const text = (fid: string, label: string, value: string, set: (v: string) => void, opts: { type?: 'text' | 'email' | 'password'; required?: boolean; hint?: string; autocomplete?: string; readOnly?: boolean } = {}) => (
    <div class="field">
      <label for={fid}>{label}</label>
      <input id={fid} type={(opts.type ?? 'text') as 'text'} value={value} required={opts.required} readOnly={opts.readOnly}
        autocomplete={opts.autocomplete ?? 'off'} aria-describedby={opts.hint ? `${fid}-hint` : undefined}
        onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} />
      {opts.hint && <p id={`${fid}-hint`} class="hint">{opts.hint}</p>}
    </div>
  );

  return (
    <Dialog title={user ? t('admin.users.editTitle', { id: user.id }) : t('admin.users.new')} onClose={onClose}>
      <form class="user-form" onSubmit={submit}>
        {!user && text('new-user-id', t('admin.users.id'), id, setId, { required: true, autocomplete: 'off' })}
        {text('user-displayname', t('admin.users.displayName'), displayName, setDisplayName)}
        {text('user-email', t('admin.users.email'), email, setEmail, { type: 'email' })}
        {!user && text('new-user-password', t('admin.users.password'), password, setPassword, { type: 'password', required: true, autocomplete: 'new-password' })}
        {user && text('user-password', t('admin.users.newPassword'), password, setPassword, { type: 'password', autocomplete: 'new-password', hint: t('admin.users.newPasswordHint') })}
        {user && password !== '' && text('user-password-confirm', t('admin.users.confirmPassword'), confirm, setConfirm, { type: 'password', required: true, autocomplete: 'current-password' })}
        {text('user-quota', t('admin.users.quota'), quota, setQuota, { hint: t('admin.users.quotaHint') })}
        <fieldset class="group-choices">
          <legend>{t('admin.users.groups')}</legend>
          {groups.map((g) => (
            <label key={g.id} class="choice">
              <input type="checkbox" value={g.id} checked={chosen.includes(g.id)}
                disabled={self && g.id === 'admin'}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  setChosen(on ? [...chosen, g.id] : chosen.filter((c) => c !== g.id));
                }} />
              {g.displayname || g.id}
            </label>
          ))}
        </fieldset>
        <Live message={message} />
        <div class="sa-dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>{t('dialog.cancel')}</button>
          <button type="submit" class="primary" aria-disabled={busy}>{user ? t('settings.save') : t('admin.users.create')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Really?" — Cancel (focused first) or the destructive action. */
export function ConfirmDialog({ title, text, action, onConfirm, onClose, fallbackFocus }: {
  title: string; text: string; action: string; onConfirm: () => void; onClose: () => void; fallbackFocus?: () => HTMLElement | null;
}) {
  return (
    <Dialog title={title} onClose={onClose} role="alertdialog" describedBy="confirm-text" fallbackFocus={fallbackFocus}>
      <p id="confirm-text">{text}</p>
      <div class="sa-dialog-actions">
        <button type="button" class="secondary" autofocus onClick={onClose}>{t('dialog.cancel')}</button>
        <button type="button" class="primary danger" onClick={onConfirm}>{action}</button>
      </div>
    </Dialog>
  );
}
