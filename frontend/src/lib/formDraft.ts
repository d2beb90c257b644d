// What someone typed into a form, kept in the tab's session storage until the
// form is sent or cancelled, so that a session ending while it is open (sign
// in again, come back) loses nothing. A draft is its author's: another
// account signing in at this tab never sees it, and signing out forgets
// every draft (forgetFormDrafts).

const STORE = 'certlink.formDraft';
const storeOf = (form: string, owner: string) => `${STORE}:${form}:${owner}`;

/** The draft of form kept for owner, if any (read by check, which says whether it is one). */
export function loadFormDraft<T>(form: string, owner: string, check: (v: unknown) => v is T): T | null {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(storeOf(form, owner)) ?? 'null');
    return check(v) ? v : null;
  } catch {
    return null; // not ours, or storage refused: no draft
  }
}

/** Keeps value as owner's draft of form; null forgets it. */
export function saveFormDraft(form: string, owner: string, value: unknown): void {
  try {
    if (value === null) sessionStorage.removeItem(storeOf(form, owner));
    else sessionStorage.setItem(storeOf(form, owner), JSON.stringify(value));
  } catch {
    /* storage full or refused: the form still works, unkept */
  }
}

/** Forgets every form draft this tab keeps (a sign-out). */
export function forgetFormDrafts(): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k?.startsWith(`${STORE}:`)) sessionStorage.removeItem(k);
    }
  } catch {
    /* nothing kept */
  }
}
