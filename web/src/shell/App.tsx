/**
 * The app shell: finds the session, routes by URL, and frames every signed-in page with the
 * header (app switcher, search, avatar menu) and a skip link. Signed-out visitors get the login page.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { loadSession, type Session } from '../api';
import { t } from '../i18n';
import { LoginPage } from '../login/LoginPage';
import { navigate, onLinkClick, useLocation } from '../router';
import { Header } from './Header';
import { lazyApp } from './lazy';

const FilesApp = lazyApp(() => import('../files/FilesApp').then((m) => m.FilesApp));
const SettingsPage = lazyApp(() => import('../settings/SettingsPage').then((m) => m.SettingsPage));

type State = { phase: 'loading' } | { phase: 'ready'; session: Session | null };

/** Where a signed-in user lands (Nextcloud's default app). */
const HOME = '/apps/files/';

export function App() {
  const location = useLocation();
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [query, setQuery] = useState('');

  useEffect(() => {
    loadSession().then((session) => setState({ phase: 'ready', session }), () => setState({ phase: 'ready', session: null }));
  }, []);

  const path = location.pathname;
  useEffect(() => setQuery(''), [path, location.searchParams.get('dir')]);

  if (state.phase === 'loading') return <p class="loading" role="status">{t('loading')}</p>;
  const { session } = state;

  if (!session) {
    if (path !== '/login') {
      const back = path === '/' ? '' : `?redirect_url=${encodeURIComponent(path + location.search)}`;
      return <Redirect to={`/login${back}`} />;
    }
    return <LoginPage onSignedIn={(next) => {
      loadSession().then((s) => {
        setState({ phase: 'ready', session: s });
        navigate(safeRedirect(next) ?? HOME, { replace: true });
      });
    }} />;
  }
  if (path === '/' || path === '/login') {
    return <Redirect to={path === '/login' ? safeRedirect(location.searchParams.get('redirect_url')) ?? HOME : HOME} />;
  }

  const onLoggedOut = () => {
    setState({ phase: 'ready', session: null });
    navigate('/login?loggedout=1', { replace: true });
  };
  const inFiles = path === '/apps/files' || path.startsWith('/apps/files/');
  let page;
  let title: string;
  if (inFiles) {
    page = <FilesApp user={session.user} query={query} />;
    title = t('apps.files');
  } else if (path === '/settings/user' || path === '/settings' || path === '/settings/') {
    page = <SettingsPage user={session.user} />;
    title = t('settings.title');
  } else {
    page = <NotFound />;
    title = t('notFound.title');
  }
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>{t('skip.main')}</a>
      <Header user={session.user} activeApp={inFiles ? 'files' : null} query={query} onQuery={setQuery}
        searchEnabled={inFiles} onLoggedOut={onLoggedOut} />
      <main id="main" tabIndex={-1} aria-label={title}>{page}</main>
    </>
  );
}

/** Replaces the current URL (no history entry) once rendered: navigation is not a render side effect. */
function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  useEffect(() => { document.title = `${t('notFound.title')} - ${t('app.name')}`; }, []);
  return (
    <div class="page">
      <h1>{t('notFound.title')}</h1>
      <p><a href={HOME} onClick={onLinkClick}>{t('notFound.back')}</a></p>
    </div>
  );
}

/** A redirect target only when it stays on this site (no //host or scheme). */
function safeRedirect(target: string | null): string | null {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null;
  return target;
}
