import { Link } from '../lib/router';
import { EmptyState } from '../components/Feedback';

export function NotFoundPage() {
  return (
    <EmptyState title="This page doesn't exist">
      <p>
        The address may be mistyped, or the page may have moved. <Link to="/profile">Go to My profile</Link>.
      </p>
    </EmptyState>
  );
}

export function ForbiddenPage() {
  return (
    <EmptyState title="This page is for admins">
      <p>
        Your roles don't include access to this page. Ask a Global admin of your organization if you need it. <Link to="/profile">Go to My profile</Link>.
      </p>
    </EmptyState>
  );
}
