import { describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SignInPage } from './SignInPage';
import { resetSignInOptions } from '../lib/signInOptions';
import { gqlError, mockClient, viewer, withClient } from '../test/mockClient';

describe('Sign in', () => {
  it('signs in with labelled fields', async () => {
    const onSignedIn = vi.fn();
    const client = mockClient({ mutation: () => ({ data: { signIn: { __typename: 'SignInPayload', expiresAt: '2026-11-24T13:00:00Z', user: viewer() } } }) });
    render(withClient(client, <SignInPage onSignedIn={onSignedIn} />));
    await userEvent.type(screen.getByLabelText('Work email'), ' alex@contoso.example ');
    await userEvent.type(screen.getByLabelText('Password'), 'certlink-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({ input: { email: 'alex@contoso.example', password: 'certlink-demo' } });
    expect(onSignedIn).toHaveBeenCalledOnce();
  });

  it('shows wrong credentials in words', async () => {
    const onSignedIn = vi.fn();
    const client = mockClient({ mutation: () => ({ error: gqlError('INVALID_CREDENTIALS', 'INVALID_CREDENTIALS') }) });
    render(withClient(client, <SignInPage onSignedIn={onSignedIn} />));
    await userEvent.type(screen.getByLabelText('Work email'), 'alex@contoso.example');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.keyboard('{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The email or password is incorrect.');
    expect(onSignedIn).not.toHaveBeenCalled();
    // Both fields are what the error is about: marked invalid and tied to it; the password, to retype, is focused.
    for (const label of ['Work email', 'Password']) {
      const field = screen.getByLabelText(label);
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(field.getAttribute('aria-describedby')).toContain(alert.id);
    }
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
  });

  it('shows a notice such as a signed-out confirmation', () => {
    render(withClient(mockClient({}), <SignInPage onSignedIn={() => {}} notice="You have signed out." />));
    expect(screen.getByRole('status').textContent).toBe('You have signed out.');
  });

  it('offers single sign-on only when the server has an identity provider (L1)', async () => {
    render(withClient(mockClient({}), <SignInPage onSignedIn={() => {}} />));
    expect(screen.queryByRole('link', { name: /single sign-on/ })).toBeNull();
    cleanup();
    resetSignInOptions();
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"singleSignOn":true,"directorySignIn":false}', { status: 200 })));
    render(withClient(mockClient({}), <SignInPage onSignedIn={() => {}} />));
    const link = await screen.findByRole('link', { name: 'Sign in with your organization’s single sign-on' });
    expect(link.getAttribute('href')).toBe('/auth/oidc/login');
  });
});
