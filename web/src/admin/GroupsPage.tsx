/**
 * Admin: the groups page (/settings/groups): groups with their member counts, create one, delete
 * one after a confirmation (the admin group cannot be deleted: the server refuses it too).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n';
import { ocs } from '../settings/ocs';
import { failureText, Live, useRefocus, type Message } from '../settings/ui';
import { ConfirmDialog, listGroups } from './UsersPage';

type Group = Awaited<ReturnType<typeof listGroups>>[number];

export function GroupsPage() {
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [id, setId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [message, setMessage] = useState<Message>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const idField = useRef<HTMLInputElement>(null);
  const refocus = useRefocus([groups], () => idField.current);

  useEffect(() => { document.title = `${t('admin.groups.title')} - ${t('app.name')}`; }, [currentLanguage()]);
  const load = () => listGroups().then(setGroups, (err) => {
    setGroups([]);
    setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
  });
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    const groupId = id.trim();
    try {
      await ocs('POST', '/cloud/groups', { groupid: groupId, displayname: displayName.trim() || undefined });
      setId('');
      setDisplayName('');
      setMessage({ kind: 'ok', text: t('admin.groups.created', { id: groupId }) });
    } catch (err) {
      setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
    }
    await load();
  };

  return (
    <div class="page admin groups-admin">
      <h1>{t('admin.groups.title')}</h1>
      <form class="group-form" onSubmit={create}>
        <div class="field">
          <label for="group-id">{t('admin.groups.id')}</label>
          <input id="group-id" ref={idField} type="text" value={id} required autocomplete="off"
            onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="group-displayname">{t('admin.groups.displayName')}</label>
          <input id="group-displayname" type="text" value={displayName} autocomplete="off"
            onInput={(e) => setDisplayName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="primary">{t('admin.groups.create')}</button>
      </form>
      <Live id="groups-message" message={message} />
      {groups === null ? <p role="status">{t('loading')}</p> : groups.length === 0 ? <p>{t('admin.groups.none')}</p> : (
        <div class="table-scroll">
          <table class="data-table groups-table">
            <caption class="visually-hidden">{t('admin.groups.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.groups.id')}</th>
                <th scope="col">{t('admin.groups.displayName')}</th>
                <th scope="col">{t('admin.groups.members')}</th>
                <th scope="col"><span class="visually-hidden">{t('admin.users.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.id} data-group={g.id}>
                  <th scope="row">{g.id}</th>
                  <td>{g.displayname}</td>
                  <td class="count">{g.usercount}</td>
                  <td class="actions">
                    {g.canRemove ? (
                      <button type="button" class="secondary danger" aria-label={t('admin.groups.deleteFor', { id: g.id })}
                        onClick={() => setDeleting(g)}>{t('admin.users.delete')}</button>
                    ) : <span class="hint">{t('admin.groups.protected')}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog title={t('admin.groups.deleteTitle', { id: deleting.id })} text={t('admin.groups.deleteText')}
          action={t('dialog.delete')} fallbackFocus={() => idField.current} onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const groupId = deleting.id;
            refocus();
            setDeleting(null);
            try {
              await ocs('DELETE', `/cloud/groups/${encodeURIComponent(groupId)}`);
              setMessage({ kind: 'ok', text: t('admin.groups.deleted', { id: groupId }) });
            } catch (err) {
              setMessage({ kind: 'error', text: t('admin.error', { message: failureText(err) }) });
            }
            await load();
          }} />
      )}
    </div>
  );
}
