import { Component, lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactNode } from 'react';
import { Provider, useClient, useMutation, useQuery } from 'urql';
import { Alert, ErrorState, Spinner } from './components/Feedback';
import { IconAward, IconBadge, IconBell, IconCode, IconHistory, IconKey, IconLifebuoy, IconMail, IconMenu, IconSignOut, IconTable, IconUser, IconUsers, LogoMark } from './components/Icons';
import { watchFocus } from './lib/focusRescue';
import { createApiClient } from './lib/client';
import { forgetConsole } from './lib/consoleHistory';
import { forgetTicketDraft } from './lib/ticketDraft';
import { forgetFormDrafts } from './lib/formDraft';
import { describeError, errorCode } from './lib/errors';
import { Link, navigate, RENAVIGATE, usePath } from './lib/router';
import { isAdmin, isGlobalAdmin, MeQuery, seesCompetencies, seesUsers, SessionContext, SignOutMutation, useSession, type Session, type Viewer } from './lib/session';
import { PasswordChangeGate } from './pages/ChangePassword';
import { ForbiddenPage, NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';
import { UnreadCountQuery } from './lib/unread';
import { prefetchPageData, showingPage, type PageQuery } from './lib/pageData';
import { CapabilityScoreQuery, CompetencyProgressQuery } from './pages/competencies/queries';
import { SolutionAreasQuery } from './pages/designations/queries';
import { NotificationsQuery } from './pages/inbox/notificationsQuery';
import { SupportTicketsQuery } from './pages/inbox/supportQuery';
import { ApiTokensQuery } from './pages/tokens/queries';

// Every page is its own chunk: the first page loads only the shell and itself.
// preload() starts the current page's chunk as the app starts, alongside the
// session check, rather than after it (see startPreload).
/** Pages whose code failed to arrive, each with how to make its component afresh (retryFailedPages). */
const failedPages = new Set<() => void>();

/** Makes every page whose code failed to arrive load again when next rendered: Try again, or its link followed again. */
export function retryFailedPages() {
  for (const renew of failedPages) renew();
  failedPages.clear();
}

export function page<K extends string, T extends Record<K, ComponentType>>(load: () => Promise<T>, name: K) {
  let loading: Promise<T> | null = null;
  // A failed load is forgotten, so rendering the page tries again.
  const preload = () =>
    (loading ??= load().catch((e: unknown) => {
      loading = null;
      throw e;
    }));
  // React.lazy keeps a failure for good, which the error boundary shows. The
  // page is made lazy afresh only when asked to try again (review: it kept
  // failing from the menu once the server was back) — never as it fails: React
  // renders the page again at once, and a fresh component there loaded again,
  // failed again, and so on, some 200 times a second while the server was down,
  // the boundary never reached (review).
  const fresh = () =>
    lazy<ComponentType>(() =>
      preload()
        .then((m) => ({ default: m[name] as ComponentType }))
        .catch((e: unknown) => {
          failedPages.add(renew);
          throw e;
        }),
    );
  let Lazy = fresh();
  const renew = () => {
    Lazy = fresh();
  };
  const Page = () => <Lazy />;
  return { Page, preload };
}

const pages = {
  profile: page(() => import('./pages/ProfilePage'), 'ProfilePage'),
  competencies: page(() => import('./pages/competencies/CompetenciesPage'), 'CompetenciesPage'),
  designations: page(() => import('./pages/designations/DesignationsPage'), 'DesignationsPage'),
  skillsReport: page(() => import('./pages/report/SkillsReportPage'), 'SkillsReportPage'),
  users: page(() => import('./pages/users/UsersPage'), 'UsersPage'),
  notifications: page(() => import('./pages/inbox/NotificationsPage'), 'NotificationsPage'),
  support: page(() => import('./pages/inbox/SupportPage'), 'SupportPage'),
  auditLog: page(() => import('./pages/audit/AuditLogPage'), 'AuditLogPage'),
  apiTokens: page(() => import('./pages/tokens/ApiTokensPage'), 'ApiTokensPage'),
  mailbox: page(() => import('./pages/inbox/MailboxPage'), 'MailboxPage'),
  graphiql: page(() => import('./pages/GraphiQLPage'), 'default'),
};

interface RouteDef {
  path: string;
  title: string;
  icon: ComponentType;
  allowed: (viewer: Viewer) => boolean;
  page: { Page: ComponentType; preload: () => Promise<unknown> };
  /** Full-bleed pages (GraphiQL) get the whole content area. */
  wide?: boolean;
  /** What the page says while its code loads. */
  loading?: string;
  /** A count shown next to the link (unread notifications). */
  badge?: ComponentType<{ path: string }>;
  /** The queries the page runs as it opens, asked alongside the session check when the app opens on it. */
  data?: readonly PageQuery[];
}

const everyone = () => true;

export const routes: RouteDef[] = [
  { path: '/profile', title: 'My profile', icon: IconUser, allowed: everyone, page: pages.profile, data: [MeQuery] },
  { path: '/competencies', title: 'Competencies', icon: IconAward, allowed: seesCompetencies, page: pages.competencies, data: [CompetencyProgressQuery, CapabilityScoreQuery] },
  { path: '/designations', title: 'Designations', icon: IconBadge, allowed: seesCompetencies, page: pages.designations, data: [SolutionAreasQuery] },
  { path: '/skills-report', title: 'Skills report', icon: IconTable, allowed: seesCompetencies, page: pages.skillsReport },
  { path: '/users', title: 'Users', icon: IconUsers, allowed: seesUsers, page: pages.users },
  { path: '/notifications', title: 'Notifications', icon: IconBell, allowed: everyone, page: pages.notifications, badge: UnreadBadge, data: [NotificationsQuery] },
  { path: '/support', title: 'Support', icon: IconLifebuoy, allowed: everyone, page: pages.support, data: [SupportTicketsQuery] },
  { path: '/audit-log', title: 'Audit log', icon: IconHistory, allowed: isGlobalAdmin, page: pages.auditLog },
  { path: '/api-tokens', title: 'API tokens', icon: IconKey, allowed: isGlobalAdmin, page: pages.apiTokens, data: [ApiTokensQuery] },
  { path: '/mailbox', title: 'Dev mailbox', icon: IconMail, allowed: isAdmin, page: pages.mailbox },
  { path: '/graphiql', title: 'GraphiQL', icon: IconCode, allowed: isAdmin, page: pages.graphiql, wide: true, loading: 'Loading the GraphiQL console…' },
];

/**
 * A page whose code did not arrive (or that failed to render) says so inside the shell, with a way out:
 * Try again, or the page's link in the menu, renders it again (its code is asked for again).
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  constructor(props: { children: ReactNode }) {
    super(props);
    // Opening a page (each route has its own boundary) is asking for it again.
    retryFailedPages();
  }
  static getDerivedStateFromError() {
    return { failed: true };
  }
  private retry = () => {
    retryFailedPages();
    this.setState({ failed: false });
  };
  componentDidMount() {
    window.addEventListener(RENAVIGATE, this.retry);
  }
  componentWillUnmount() {
    window.removeEventListener(RENAVIGATE, this.retry);
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return <ErrorState message="This page could not be loaded. Check your connection, then try again." onRetry={this.retry} />;
  }
}

/** The route the app opens on at this path: the start paths open My profile. */
function openingRoute(path: string): RouteDef | undefined {
  const target = path === '/' || path === '/signin' || path === '/index.html' ? '/profile' : path;
  return routes.find((r) => r.path === target);
}

/** Starts loading the page at this path (the one the app opens on), if it is one. */
export function startPreload(path: string) {
  void openingRoute(path)?.page.preload().catch(() => {
    // A failed preload is retried, and reported, when the page renders.
  });
}

/** The root: owns the API client, replaced on sign-out so no cached data outlives a session. */
export function App({ createClient = createApiClient }: { createClient?: typeof createApiClient } = {}) {
  const [notice, setNotice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const resetSession = useCallback((message: string | null) => {
    forgetConsole();
    setNotice(message);
    setGeneration((g) => g + 1);
  }, []);
  const client = useMemo(
    () =>
      createClient(
        () => resetSession('Your session has ended. Please sign in again.'),
        // Still signed in, with other rights: a fresh client loads every page again.
        () => resetSession(null),
      ),
    // A new client per session generation: nothing cached survives a sign-out.
    [generation, resetSession, createClient],
  );
  // The outcome of an action takes the focus its button, dialog or form lost
  // (lib/focusRescue): once, for every page.
  useEffect(() => watchFocus(), []);
  // The page the app opens on asks for its data now, alongside the session check
  // (SessionGate's effect runs just before this one), not after it answered. Once:
  // after a sign-out the next session starts on the sign-in page.
  const prefetched = useRef(false);
  useEffect(() => {
    if (prefetched.current) return;
    prefetched.current = true;
    const route = openingRoute(window.location.pathname);
    if (route?.data) prefetchPageData(client, route.path, route.data);
  }, [client]);
  return (
    <Provider value={client}>
      <SessionGate key={generation} notice={notice} onSignedOut={() => {
          // Signing out at this tab forgets the ticket being written here (a session that
          // ended by itself keeps it for its author, who signs in again).
          forgetTicketDraft();
          forgetFormDrafts();
          resetSession('You have signed out.');
        }} />
    </Provider>
  );
}

const sessionCheck = { sessionCheck: true };

function SessionGate({ notice, onSignedOut }: { notice: string | null; onSignedOut: () => void }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MeQuery, context: sessionCheck });
  const [, signOutMutation] = useMutation(SignOutMutation);
  // A sign-out the server did not take (it is down, the network dropped)
  // leaves the session as it is and says so: the shell stays (review: it
  // vanished behind "We couldn't load this page", still signed in).
  const signOut = useCallback(async () => {
    const r = await signOutMutation({});
    if (r.error && errorCode(r.error) !== 'UNAUTHENTICATED') return `You are still signed in: signing out did not reach certlink. ${describeError(r.error)}`;
    onSignedOut();
    return null;
  }, [signOutMutation, onSignedOut]);

  // The viewer last read stays while the session check fails for another
  // reason than an ended session (the server is down or busy, the network
  // dropped): the shell and its menu stay, and each page says what it could
  // not load (review: the whole app was replaced by an error until Try
  // again). A sign-out, an ended session or another answer replaces it.
  const last = useRef<Viewer | null>(null);
  if (data?.me) last.current = data.me;
  else if (!error || errorCode(error) === 'UNAUTHENTICATED') last.current = null;
  const viewer = data?.me ?? last.current;
  const session = useMemo<Session | null>(() => (viewer ? { viewer, signOut } : null), [viewer, signOut]);

  if (session) {
    return (
      <SessionContext.Provider value={session}>
        {session.viewer.mustChangePassword ? <PasswordChangeGate onChanged={() => reexecute({ requestPolicy: 'network-only' })} /> : <Shell />}
      </SessionContext.Provider>
    );
  }
  if (fetching || (!error && !data)) return <div className="boot"><Spinner label="Starting certlink…" /></div>;
  if (errorCode(error) === 'UNAUTHENTICATED') {
    return <SignInPage notice={notice} onSignedIn={() => reexecute({ requestPolicy: 'network-only' })} />;
  }
  return (
    <div className="boot">
      <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
    </div>
  );
}

function Shell() {
  const { viewer, signOut } = useSession();
  const client = useClient();
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  const firstPath = useRef(path);
  useEffect(() => {
    if (path === '/' || path === '/signin' || path === '/index.html') navigate('/profile', { replace: true });
    else showingPage(client, path);
    setMenuOpen(false);
    // After in-app navigation, start keyboard and screen-reader users at the new page.
    if (path !== firstPath.current) document.getElementById('main')?.focus({ preventScroll: true });
  }, [path, client]);

  // Escape closes the phone menu and gives focus back to its button, as a dialog would.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      document.querySelector<HTMLButtonElement>('.topbar-menu')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const visible = routes.filter((r) => r.allowed(viewer));
  const route = routes.find((r) => r.path === path);
  useEffect(() => {
    document.title = route ? `${route.title} · certlink` : 'certlink';
  }, [route]);

  let content: ReactNode;
  if (!route) content = path === '/' ? null : <NotFoundPage />;
  else if (!route.allowed(viewer)) content = <ForbiddenPage noOrganization={!viewer.organization} />;
  else
    content = (
      <PageErrorBoundary key={route.path}>
        <Suspense fallback={<Spinner label={route.loading ?? 'Loading…'} />}>
          <route.page.Page />
        </Suspense>
      </PageErrorBoundary>
    );

  return (
    <div className={`shell${menuOpen ? ' shell-menu-open' : ''}`}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="topbar-menu" aria-label="Menu" aria-expanded={menuOpen} aria-controls="sidenav" onClick={() => setMenuOpen((o) => !o)}>
          <IconMenu />
        </button>
        <Link to="/profile" className="brand">
          <LogoMark />
          <span>certlink</span>
        </Link>
        {viewer.organization && (
          <span className="topbar-org" title={`MPN ID ${viewer.organization.mpnId}`}>
            {viewer.organization.name}
          </span>
        )}
        <div className="topbar-user">
          <span className="avatar" aria-hidden="true">{initials(viewer.name || viewer.email)}</span>
          <span className="topbar-user-text">
            <span className="topbar-name">{viewer.name}</span>
            <span className="topbar-email">{viewer.email}</span>
          </span>
          <button
            type="button"
            className="btn btn-ghost-light"
            disabled={signingOut}
            onClick={async () => {
              setSigningOut(true);
              setSignOutError(null);
              const failed = await signOut();
              if (failed) {
                setSigningOut(false);
                setSignOutError(failed);
              }
            }}
          >
            <IconSignOut />
            <span>{signingOut ? 'Signing out…' : 'Sign out'}</span>
          </button>
        </div>
      </header>
      <nav id="sidenav" className="sidenav" aria-label="Main">
        <div className="sidenav-account">
          <strong>{viewer.name}</strong>
          <span className="muted">{viewer.email}</span>
          {viewer.organization && <span className="muted">{viewer.organization.name} · MPN ID {viewer.organization.mpnId}</span>}
        </div>
        <ul>
          {visible.map((r) => (
            <li key={r.path}>
              <Link to={r.path} className="sidenav-link" aria-current={r.path === path ? 'page' : undefined}>
                <r.icon />
                <span>{r.title}</span>
                {r.badge && <r.badge path={path} />}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {menuOpen && <div className="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />}
      <main id="main" className={route?.wide ? 'content content-wide' : 'content'} tabIndex={-1}>
        {signOutError && (
          <Alert kind="error" takeFocus>
            {signOutError}
          </Alert>
        )}
        {content}
      </main>
    </div>
  );
}

/** The first letter or digit of each of the first two words that have one ("Nina <b>Test</b>" gives NB, not N<). */
export function initials(name: string): string {
  const letters = name
    .split(/[\s@.]+/)
    .map((w) => w.match(/\p{L}|\p{N}/u)?.[0] ?? '')
    .filter(Boolean);
  return ((letters[0] ?? '') + (letters[1] ?? '')).toUpperCase() || '?';
}

/** Unread notifications, refreshed on every navigation. */
function UnreadBadge({ path }: { path: string }) {
  const [{ data }, reexecute] = useQuery({ query: UnreadCountQuery, requestPolicy: 'cache-and-network' });
  useEffect(() => reexecute({ requestPolicy: 'network-only' }), [path, reexecute]);
  const n = data?.unreadNotificationCount ?? 0;
  if (n === 0) return null;
  return (
    <span className="nav-badge" aria-label={`${n} unread`}>
      {n > 99 ? '99+' : n}
    </span>
  );
}
