/**
 * The app shell: finds the session, routes by URL, and frames every signed-in page with the
 * header (app switcher, search, avatar menu) and a skip link. Signed-out visitors get the login page.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { loadSession, type Session, type SessionUser } from '../api';
import { onLanguageChange, t } from '../i18n';
import { LoginPage } from '../login/LoginPage';
import { navigate, onLinkClick, useLocation } from '../router';
import { Header } from './Header';
import { SettingsNav } from './SettingsNav';
import { SkipLink } from './SkipLink';
import { lazyApp } from './lazy';

const FilesApp = lazyApp(() => import('../files/FilesApp').then((m) => m.FilesApp));
const SettingsPage = lazyApp(() => import('../settings/SettingsPage').then((m) => m.SettingsPage));
const UsersPage = lazyApp(() => import('../admin/UsersPage').then((m) => m.UsersPage));
const GroupsPage = lazyApp(() => import('../admin/GroupsPage').then((m) => m.GroupsPage));
const ViewerPage = lazyApp(() => import('../viewers/ViewerPage').then((m) => m.ViewerPage));

type State = { phase: 'loading' } | { phase: 'ready'; session: Session | null };

/** Where a signed-in user lands (Nextcloud's default app). */
const HOME = '/apps/files/';

export function App() {
  const location = useLocation();
  const [state, setState] = useState<State>({ phase: 'loading' });
  const [query, setQuery] = useState('');
  const [, setLanguageTick] = useState(0);
  // A language change re-renders every page with the new strings.
  useEffect(() => onLanguageChange(() => setLanguageTick((n) => n + 1)), []);

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
  } else if (path === '/apps/viewer' || path.startsWith('/apps/viewer/')) {
    page = <ViewerPage user={session.user} />;
    title = t('viewer.title');
  } else if (path === '/settings/user' || path === '/settings' || path === '/settings/') {
    const onUserChange = (patch: Partial<SessionUser>) =>
      setState({ phase: 'ready', session: { ...session, user: { ...session.user, ...patch } } });
    page = <SettingsLayout user={session.user} path="/settings/user"><SettingsPage user={session.user} onUserChange={onUserChange} /></SettingsLayout>;
    title = t('settings.title');
  } else if (path === '/settings/users' || path === '/settings/groups') {
    const users = path === '/settings/users';
    page = (
      <SettingsLayout user={session.user} path={path}>
        {!session.user.isAdmin ? <Forbidden /> : users ? <UsersPage user={session.user} /> : <GroupsPage />}
      </SettingsLayout>
    );
    title = users ? t('admin.users.title') : t('admin.groups.title');
  } else {
    page = <NotFound />;
    title = t('notFound.title');
  }
  return (
    <>
      <SkipLink />
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

function SettingsLayout({ user, path, children }: { user: SessionUser; path: string; children: ComponentChildren }) {
  return (
    <div class="settings-layout">
      <SettingsNav user={user} path={path} />
      <div class="settings-content">{children}</div>
    </div>
  );
}

/** What a non-admin sees on an admin page (the server refuses the admin API calls anyway). */
function Forbidden() {
  useEffect(() => { document.title = `${t('admin.forbidden.title')} - ${t('app.name')}`; }, []);
  return (
    <div class="page forbidden">
      <h1>{t('admin.forbidden.title')}</h1>
      <p role="alert">{t('admin.forbidden.text')}</p>
      <p><a href={HOME} onClick={onLinkClick}>{t('notFound.back')}</a></p>
    </div>
  );
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
