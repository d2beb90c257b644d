// A support ticket being written, kept in the tab's session storage until it
// is raised or cancelled, so that a session ending while the form is open
// (sign in again, come back) loses nothing. It is its author's: another
// account signing in at this tab never sees it, and signing out forgets it.
//
// Its key goes with every try (createSupportTicket's clientKey), so sending it
// again after an answer that never arrived raises nothing new. Sent text that
// is then changed is another ticket, with a new key: the server refuses a
// known key with other text (CONFLICT), which would leave the form stuck.

export type TicketDraft = {
  owner: string;
  category: string;
  subject: string;
  body: string;
  key: string;
  /** The text last sent with key, if any ("category\u0000subject\u0000body"). */
  sent?: string;
};

const STORE = 'certlink.supportDraft';
const storeOf = (owner: string) => `${STORE}:${owner}`;

export function loadTicketDraft(owner: string): TicketDraft | null {
  try {
    const d = JSON.parse(sessionStorage.getItem(storeOf(owner)) ?? 'null') as Partial<TicketDraft> | null;
    if (
      d && d.owner === owner && typeof d.key === 'string' && typeof d.subject === 'string' &&
      typeof d.body === 'string' && typeof d.category === 'string'
    ) {
      return d as TicketDraft;
    }
  } catch {
    /* not ours, or storage refused: no draft */
  }
  return null;
}

export function saveTicketDraft(d: TicketDraft): void {
  try {
    if (d.subject.trim() || d.body.trim()) sessionStorage.setItem(storeOf(d.owner), JSON.stringify(d));
    else sessionStorage.removeItem(storeOf(d.owner));
  } catch {
    /* storage full or refused: the form still works, unkept */
  }
}

/** Forgets owner's draft; with no owner, every draft this tab keeps (a sign-out). */
export function forgetTicketDraft(owner?: string): void {
  try {
    if (owner !== undefined) return sessionStorage.removeItem(storeOf(owner));
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      if (sessionStorage.key(i)?.startsWith(`${STORE}:`)) sessionStorage.removeItem(sessionStorage.key(i)!);
    }
  } catch {
    /* nothing kept */
  }
}

/** 32 hex digits from the browser's random source (randomUUID needs a secure context). */
export function newTicketKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** What a try sends, to tell whether the text changed since it was sent with its key. */
export const sentText = (category: string, subject: string, body: string) => [category, subject, body].join('\u0000');
