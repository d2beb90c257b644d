// One place that turns an API failure into a sentence a person can act on
// (SPEC A5: every error has a code and a human message; the web app never shows a raw code).
import { formatDate, formatMoment } from './format';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'INVALID_INPUT'
  | 'INVALID_CREDENTIALS'
  | 'ASSOCIATION_LIMITED'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  // Reasons (extensions.reason) of CONFLICT and FORBIDDEN.
  | 'REQUIREMENTS_UNMET'
  | 'PASSWORD_CHANGE_REQUIRED';

const fallbackMessages: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: "You don't have permission to do that.",
  NOT_FOUND: "We couldn't find what you were looking for. It may have been removed.",
  INVALID_INPUT: 'Some of the details you entered are not valid. Check them and try again.',
  INVALID_CREDENTIALS: 'The email or password is incorrect.',
  ASSOCIATION_LIMITED: 'This account has reached its association limit for now.',
  CONFLICT: 'Someone else changed this at the same time. Reload the page and try again.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
  UNAVAILABLE: 'The database is not available at the moment. Nothing was changed; try again in a few seconds.',
  REQUIREMENTS_UNMET: 'The offer can be purchased once every requirement of the option is met.',
  PASSWORD_CHANGE_REQUIRED: 'Choose your own password first: you signed in with a temporary one.',
  TIMEOUT: 'That took longer than the server allows and was stopped. Try again in a moment.',
};

export const NETWORK_MESSAGE = "We couldn't reach certlink. Check your connection and try again.";
export const UNKNOWN_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

/** The parts of a GraphQL error (graphql-js or urql's CombinedError) this module reads. */
interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}

interface ErrorLike {
  graphQLErrors?: readonly GraphQLErrorLike[];
  networkError?: unknown;
  response?: { status?: number } | null;
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
// Any year: the message already names a date (ISO or written out), so none is added.
const MENTIONS_YEAR = /\b(?:19|20)\d{2}\b/;
const DATE_KEYS = ['nextAssociationAllowedAt', 'nextAllowedAt', 'retryAt', 'availableAt', 'date'];

/** The extensions.code of the first GraphQL error, if any. */
export function errorCode(error: unknown): string | undefined {
  const first = (error as ErrorLike | null | undefined)?.graphQLErrors?.[0];
  const code = first?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The argument the first GraphQL error is about (extensions.field), if it names one. */
export function errorField(error: unknown): string | undefined {
  const field = (error as ErrorLike | null | undefined)?.graphQLErrors?.[0]?.extensions?.field;
  return typeof field === 'string' ? field : undefined;
}

/** A message is shown as is only when it reads like a sentence, not like a code or a stack. */
function isHumanMessage(message: string, code: string | undefined): boolean {
  const m = message.trim();
  if (m.length < 3 || m === code) return false;
  if (/^[A-Z0-9_]+$/.test(m)) return false;
  if (/\n\s+at |goroutine \d|SQLSTATE|sql: /i.test(m)) return false;
  return /\s/.test(m);
}

function asSentence(message: string): string {
  let m = message.trim().replace(/^\[(GraphQL|Network)\]\s*/, '');
  // A message that starts with a name the server quoted (a domain, an email
  // address, an MCID) keeps its spelling: "fabrikam.example is not…".
  const first = m.split(/\s/, 1)[0];
  if (!/[.@\d]/.test(first)) m = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(m) ? m : m + '.';
}

/** An ISO date as a day; an ISO instant as a moment in the reader's time, which names its zone. */
function readable(iso: string): string {
  return /[T ]\d{2}:\d{2}/.test(iso) ? formatMoment(iso) : formatDate(iso);
}

function dateFromExtensions(ext: Record<string, unknown> | null | undefined): string | undefined {
  if (!ext) return undefined;
  for (const key of DATE_KEYS) {
    const v = ext[key];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

/** The sentence for an error code alone (no message to go with it), if the code is known. */
export function messageForCode(code: string): string | undefined {
  return code in fallbackMessages ? fallbackMessages[code as ErrorCode] : undefined;
}

/**
 * The sentence to show for a failed operation. Server messages are used when they read
 * as sentences (they carry specifics such as the next association date), with ISO
 * dates rewritten as dates and ISO instants as moments in the reader's time;
 * otherwise a sentence chosen by extensions.code.
 */
export function describeError(error: unknown): string {
  if (error == null) return UNKNOWN_MESSAGE;
  const e = error as ErrorLike;
  const first = e.graphQLErrors?.[0];
  if (first) {
    const code = errorCode(e);
    const date = dateFromExtensions(first.extensions);
    if (isHumanMessage(first.message ?? '', code)) {
      const text = asSentence(first.message.replace(ISO_INSTANT, readable));
      if (code === 'ASSOCIATION_LIMITED' && date && !MENTIONS_YEAR.test(first.message)) {
        return `${text} Your next available date for a subsequent association is ${formatMoment(date)}.`;
      }
      return text;
    }
    if (code === 'ASSOCIATION_LIMITED' && date) {
      return `We require a period of 30 days between associations. Your next available date for a subsequent association is ${formatMoment(date)}.`;
    }
    // A reason (extensions.reason) tells apart refusals of one code.
    const reason = first.extensions?.reason;
    if (typeof reason === 'string' && reason in fallbackMessages) return fallbackMessages[reason as ErrorCode];
    if (code && code in fallbackMessages) return fallbackMessages[code as ErrorCode];
    return UNKNOWN_MESSAGE;
  }
  if (e.networkError) {
    const status = e.response?.status;
    if (status === 429) return fallbackMessages.RATE_LIMITED;
    if (status === 503) return fallbackMessages.UNAVAILABLE;
    if (status && status >= 500) return UNKNOWN_MESSAGE;
    return NETWORK_MESSAGE;
  }
  return UNKNOWN_MESSAGE;
}
