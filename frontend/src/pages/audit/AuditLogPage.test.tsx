import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { Person } from './AuditLogPage';

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
