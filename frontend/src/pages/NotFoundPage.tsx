import type { ReactNode } from 'react';
import { Link } from '../lib/router';

/** A page with a real heading (axe: page-has-heading-one), so screen readers land on what happened. */
function Missing({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="page">
      <div className="state state-empty">
        <h1 className="state-title">{title}</h1>
        <div>{children}</div>
      </div>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <Missing title="This page doesn't exist">
      <p>
        The address may be mistyped, or the page may have moved. <Link to="/profile">Go to My profile</Link>.
      </p>
    </Missing>
  );
}

/** noOrganization: the viewer is an operator (platform staff), in no organization, so no one of theirs can grant it. */
export function ForbiddenPage({ noOrganization = false }: { noOrganization?: boolean }) {
  if (noOrganization) {
    return (
      <Missing title="This page is for an organization's admins">
        <p>
          It shows an organization's own data, and operators belong to no organization. <Link to="/profile">Go to My profile</Link>.
        </p>
      </Missing>
    );
  }
  return (
    <Missing title="This page is for admins">
      <p>
        Your roles don't include access to this page. Ask a Global admin of your organization if you need it. <Link to="/profile">Go to My profile</Link>.
      </p>
    </Missing>
  );
}
