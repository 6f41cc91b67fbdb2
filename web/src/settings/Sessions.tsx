/**
 * Devices & sessions, first part: the browsers signed in to this account (GET …/sessions) with
 * when they signed in and were last active. Any other browser can be signed out at once (DELETE
 * …/sessions/{id}): ending a session only protects, so it needs no password; this browser has no
 * button (the avatar menu's Log out does that).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n';
import { ocs, OcsFailure } from './ocs';
import { failureText, formatTime, Live, useRefocus, type Message } from './ui';
import { describeAgent } from './useragent';

/** One session as worker/accounts/ocs-sessions.ts lists it (times in ms). */
interface BrowserSession { id: string; userAgent: string | null; createdAt: number; lastActivity: number; current: boolean }
const API = '/apps/cumulus/api/v1/sessions';

export function Sessions() {
  const [list, setList] = useState<BrowserSession[] | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  // The row index of the last sign-out: focus goes to the button now at that place (the next
  // session), else the one before, else the heading.
  const removedAt = useRef(0);
  const refocus = useRefocus([list], () => {
    const buttons = listRef.current?.querySelectorAll<HTMLButtonElement>('button.sign-out') ?? [];
    return buttons[Math.min(removedAt.current, buttons.length - 1)] ?? heading.current;
  });

  useEffect(() => {
    ocs<BrowserSession[]>('GET', API).then(setList, (err) => {
      setError(t('settings.sessions.loadFailed', { message: failureText(err) }));
      setList([]);
    });
  }, []);

  const signOut = async (session: BrowserSession, name: string) => {
    if (busy) return;
    setBusy(session.id);
    setError('');
    setMessage(null);
    try {
      let gone = false;
      try {
        await ocs('DELETE', `${API}/${encodeURIComponent(session.id)}`);
      } catch (err) {
        // 404: it had ended already (expired, or signed out elsewhere): the row goes all the same.
        if (!(err instanceof OcsFailure && err.httpStatus === 404)) throw err;
        gone = true;
      }
      removedAt.current = list!.filter((s) => !s.current).findIndex((s) => s.id === session.id);
      refocus();
      setList((old) => old!.filter((s) => s.id !== session.id));
      setMessage({ kind: 'ok', text: t(gone ? 'settings.sessions.gone' : 'settings.sessions.signedOut', { name }) });
    } catch (err) {
      // 401: this browser's own session has ended (signed out from another one, or expired).
      setError(err instanceof OcsFailure && err.httpStatus === 401
        ? t('settings.sessions.expired')
        : t('settings.sessions.signOutFailed', { name, message: failureText(err) }));
    } finally {
      setBusy(null);
    }
  };

  const lang = currentLanguage();
  return (
    <>
      <h3 id="sessions-heading" ref={heading} tabIndex={-1}>{t('settings.sessions')}</h3>
      <p>{t('settings.sessions.intro')}</p>
      {list === null ? <p role="status">{t('loading')}</p> : list.length === 0 ? <p>{t('settings.sessions.none')}</p> : (
        // A list rather than a table: each browser is a small card that fits a 360 px screen.
        <ul class="sessions" ref={listRef} aria-labelledby="sessions-heading">
          {list.map((s) => {
            const name = describeAgent(s.userAgent);
            const lastActive = formatTime(s.lastActivity, lang);
            return (
              <li key={s.id} data-session={s.id} class="session">
                <p class="session-name" title={s.userAgent ?? undefined}>
                  <strong>{name}</strong>
                  {s.current && <>{' '}<span class="current">{t('settings.sessions.current')}</span></>}
                </p>
                <dl class="session-times">
                  <div><dt>{t('settings.sessions.signedIn')}</dt>
                    <dd><time dateTime={new Date(s.createdAt).toISOString()}>{formatTime(s.createdAt, lang)}</time></dd></div>
                  <div><dt>{t('settings.sessions.lastActive')}</dt>
                    <dd><time dateTime={new Date(s.lastActivity).toISOString()}>{lastActive}</time></dd></div>
                </dl>
                {!s.current && (
                  <button type="button" class="secondary danger sign-out" aria-disabled={busy === s.id}
                    aria-label={t('settings.sessions.signOutLabel', { name, date: lastActive })}
                    onClick={() => signOut(s, name)}>{t('settings.sessions.signOut')}</button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <Live id="sessions-message" message={message} />
    </>
  );
}
