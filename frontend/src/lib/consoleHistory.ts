// The GraphiQL console keeps its tabs, queries, variables and history in the
// browser's storage (keys "graphiql:…"). A query or its variables may hold
// what the next person at this browser must not read (a password typed into
// a variable), so the console keeps them in the tab's session storage only,
// and they are forgotten whenever a session ends here: a sign-out, a session
// ended elsewhere, a change of roles.
export const consoleStorage = (): Storage => window.sessionStorage;

/** Forgets everything the GraphiQL console kept in this browser. */
export function forgetConsole(stores: Storage[] = [window.localStorage, window.sessionStorage]): void {
  for (const s of stores) {
    for (let i = s.length - 1; i >= 0; i--) {
      const key = s.key(i);
      if (key?.startsWith('graphiql:')) s.removeItem(key);
    }
  }
}
