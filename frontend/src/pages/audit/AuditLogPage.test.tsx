import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { AuditLogPage, breakableEmail, Person } from './AuditLogPage';
import { mockClient, withClient } from '../../test/mockClient';

describe('a person in the audit log', () => {
  it('names one of the organization, with the address and a deleted account marked', () => {
    render(<Person p={{ name: 'Casey Jones', email: 'casey@contoso.example', deleted: true, outside: false }} />);
    expect(screen.getByText('Casey Jones')).toBeTruthy();
    expect(screen.getByText('casey@contoso.example')).toBeTruthy();
    expect(screen.getByText('Deleted')).toBeTruthy();
  });

  it('shows someone of another organization as the server words it, with no address', () => {
    const { container } = render(<Person p={{ name: 'Someone at another organization', email: null, deleted: false, outside: true }} />);
    expect(screen.getByText('Someone at another organization')).toBeTruthy();
    expect(container.textContent).toBe('Someone at another organization');
  });
});

describe('the audit log at desktop width', () => {
  const person = (name: string, email: string) => ({ name, email, deleted: false, outside: false });

  it('wraps names at spaces and addresses only after @ and before dots, never mid-word', async () => {
    const client = mockClient({
      query: () => ({
        data: {
          auditLog: {
            totalCount: 1,
            pageInfo: { hasNextPage: false, endCursor: null },
            edges: [
              {
                node: {
                  id: 'e1',
                  at: '2026-11-24T13:00:00Z',
                  action: 'USER_INVITED',
                  actionLabel: 'User invited',
                  mcid: null,
                  detail: 'grace@contoso.example invited sam@contoso.example.',
                  actor: person('Grace Hopper', 'grace@contoso.example'),
                  user: person('Sam Lee', 'sam@contoso.example'),
                },
              },
            ],
          },
          auditActions: [],
        },
      }),
    });
    render(withClient(client, <AuditLogPage />));
    const [, row] = within(await screen.findByRole('table')).getAllByRole('row');
    const by = row.querySelector('td[data-label="By"]')!;
    const who = row.querySelector('td[data-label="Person"]')!;
    // overflow-wrap: anywhere broke them mid-word ("Hoppe/r", "grace/@cont/oso.ex/ample").
    for (const cell of [by, who]) expect(cell.className).not.toContain('wrap-anywhere');
    expect(by.textContent).toBe('Grace Hoppergrace@contoso.example');
    const email = within(by as HTMLElement).getByText((_, el) => el?.className === 'cell-sub');
    expect(email.innerHTML).toBe('grace@<wbr>contoso<wbr>.example');
  });

  it('splits an address only where it may wrap', () => {
    const { container } = render(<>{breakableEmail('first.last@mail.contoso.example')}</>);
    expect(container.innerHTML).toBe('first<wbr>.last@<wbr>mail<wbr>.contoso<wbr>.example');
    expect(container.textContent).toBe('first.last@mail.contoso.example');
  });
});

describe('an entry about an account', () => {
  const node = (id: string, mcid: string, linkKind: string | null) => ({
    id,
    at: '2026-11-24T13:00:00Z',
    action: 'LINKED',
    actionLabel: 'Account associated',
    mcid,
    linkKind,
    detail: 'associated',
    actor: null,
    user: null,
  });

  it('calls a Partner University number by its name, not an MCID', async () => {
    const client = mockClient({
      query: () => ({
        data: {
          auditLog: {
            totalCount: 3,
            pageInfo: { hasNextPage: false, endCursor: null },
            edges: [{ node: node('e1', '4400001', 'PARTNER_UNIVERSITY') }, { node: node('e2', '9900001', 'LEARNING') }, { node: node('e3', '9900002', null) }],
          },
          auditActions: [],
        },
      }),
    });
    render(withClient(client, <AuditLogPage />));
    // Named, as the report's and the users' tables are (review).
    const [, pu, learn, older] = within(await screen.findByRole('table', { name: 'Audit log, newest first' })).getAllByRole('row');
    expect(within(pu).getByText('Partner University 4400001')).toBeTruthy();
    expect(within(learn).getByText('MCID 9900001')).toBeTruthy();
    expect(within(older).getByText('MCID 9900002')).toBeTruthy();
  });
});
