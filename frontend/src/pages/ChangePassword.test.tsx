import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChangePasswordForm } from './ChangePassword';
import { gqlError, mockClient, viewer, withClient } from '../test/mockClient';

describe('ChangePasswordForm', () => {
  it('checks length and confirmation before asking the server', async () => {
    const client = mockClient({});
    render(withClient(client, <ChangePasswordForm temporary />));
    await userEvent.type(screen.getByLabelText('Temporary password'), 'abcd-efgh');
    await userEvent.type(screen.getByLabelText('New password'), 'short');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose a password of at least 12 characters.');
    await userEvent.clear(screen.getByLabelText('New password'));
    await userEvent.type(screen.getByLabelText('New password'), 'a-long-enough-one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByRole('alert').textContent).toBe("The new passwords don't match.");
    // The field the error is about is marked, tied to it, and focused.
    const confirm = screen.getByLabelText('Confirm new password');
    expect(confirm.getAttribute('aria-invalid')).toBe('true');
    expect(confirm.getAttribute('aria-describedby')).toContain(screen.getByRole('alert').id);
    expect(document.activeElement).toBe(confirm);
    expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBeNull();
    expect(client.executeMutation).not.toHaveBeenCalled();
  });

  it('changes the password and reports a wrong current one in words', async () => {
    const onChanged = vi.fn();
    let first = true;
    const client = mockClient({
      mutation: () => {
        if (first) {
          first = false;
          return { error: gqlError('INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', { field: 'currentPassword' }) };
        }
        return { data: { changePassword: { user: viewer() } } };
      },
    });
    render(withClient(client, <ChangePasswordForm onChanged={onChanged} />));
    await userEvent.type(screen.getByLabelText('Current password'), 'wrong');
    await userEvent.type(screen.getByLabelText('New password'), 'a-long-enough-one');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'a-long-enough-one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The email or password is incorrect.');
    // The wrong one is the current password: that field takes the focus (review: it stayed on Confirm).
    expect(document.activeElement).toBe(screen.getByLabelText('Current password'));
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Your password is changed.')).toBeTruthy();
    expect(onChanged).toHaveBeenCalledOnce();
  });

  // Review: the first sign-in screen said "The current password is not correct." of the temporary one.
  it('calls a wrong temporary password by its name at first sign-in', async () => {
    const client = mockClient({
      mutation: () => ({ error: gqlError('INVALID_CREDENTIALS', 'The current password is not correct.', { field: 'currentPassword' }) }),
    });
    render(withClient(client, <ChangePasswordForm temporary />));
    await userEvent.type(screen.getByLabelText('Temporary password'), 'wrong');
    await userEvent.type(screen.getByLabelText('New password'), 'a-long-enough-one');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'a-long-enough-one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The temporary password is not correct.');
    expect(document.activeElement).toBe(screen.getByLabelText('Temporary password'));
    // Typing in it again takes the refusal away, and the field is no longer marked invalid.
    await userEvent.type(screen.getByLabelText('Temporary password'), 'x');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByLabelText('Temporary password').getAttribute('aria-invalid')).toBeNull();
  });

  it('keeps the server’s words on My profile', async () => {
    const client = mockClient({
      mutation: () => ({ error: gqlError('INVALID_CREDENTIALS', 'The current password is not correct.', { field: 'currentPassword' }) }),
    });
    render(withClient(client, <ChangePasswordForm />));
    await userEvent.type(screen.getByLabelText('Current password'), 'wrong');
    await userEvent.type(screen.getByLabelText('New password'), 'a-long-enough-one');
    await userEvent.type(screen.getByLabelText('Confirm new password'), 'a-long-enough-one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The current password is not correct.');
  });
});
