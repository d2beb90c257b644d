// A urql client double: each test says what queries and mutations answer.
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { CombinedError, Provider, type Client, type OperationResult } from 'urql';
import { fromValue, merge, never, pipe, subscribe, type Source } from 'wonka';
import type { ProfileUserFragment } from '../gql/graphql';

export type Answer = { data?: unknown; error?: CombinedError } | 'pending';

export function mockClient(opts: { query?: (name: string, variables: unknown) => Answer; mutation?: (name: string, variables: unknown) => Answer }) {
  // Like the real client, a query's source stays open after its result (it would carry cache updates).
  // Like the real client's sources, each also has .subscribe(callback).
  const withSubscribe = (source: Source<OperationResult>) =>
    Object.assign(source, { subscribe: (onResult: (r: OperationResult) => void) => pipe(source, subscribe(onResult)) });
  const answer = (a: Answer, operation: unknown) =>
    withSubscribe(a === 'pending' ? never : merge([fromValue({ ...a, operation, stale: false, hasNext: false } as OperationResult), never]));
  const opName = (req: { query: { definitions: readonly { kind: string; name?: { value: string } }[] } }) =>
    req.query.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value ?? '';
  const client = {
    executeQuery: vi.fn((req) => answer(opts.query?.(opName(req), req.variables) ?? 'pending', req)),
    executeMutation: vi.fn((req) => answer(opts.mutation?.(opName(req), req.variables) ?? 'pending', req)),
    executeSubscription: vi.fn(() => never),
    suspense: false,
  };
  // client.query(document, variables) is executeQuery of that request, as in urql.
  const query = (document: unknown, variables: unknown) => client.executeQuery({ query: document, variables });
  return Object.assign(client, { query }) as typeof client & Client;
}

export function withClient(client: Client, ui: ReactNode) {
  return <Provider value={client}>{ui}</Provider>;
}

export function gqlError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new CombinedError({ graphQLErrors: [{ message, extensions: { code, ...extensions } }] });
}

export function networkError() {
  return new CombinedError({ networkError: new TypeError('Failed to fetch') });
}

export function viewer(overrides: Partial<ProfileUserFragment> = {}): ProfileUserFragment {
  return {
    id: 'u1',
    email: 'alex@contoso.example',
    name: 'Alex Wilber',
    roles: [],
    mustChangePassword: false,
    organization: { id: 'o1', mpnId: '4100001', name: 'Contoso Ltd' },
    learningAccount: null,
    partnerUniversity: null,
    nextAssociationAllowedAt: null,
    associationsRemaining: 3,
    associatedBefore: false,
    partnerUniversityNextAssociationAllowedAt: null,
    partnerUniversityAssociationsRemaining: 3,
    partnerUniversityAssociatedBefore: false,
    ...overrides,
  };
}
