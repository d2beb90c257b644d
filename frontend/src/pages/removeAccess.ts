// Remove access on My profile (L7, L8), for an MCID and a Partner University account alike.
import { useEffect, useState } from 'react';
import type { CombinedError } from 'urql';
import { describeError, errorCode } from '../lib/errors';

export type Notice = { kind: 'success' | 'warning'; text: string };

/**
 * A link this page showed ended elsewhere while it was open: someone associated the same account
 * with their work account, or it was removed in another tab (a review: Remove access went on
 * about an MCID that had moved away).
 */
function endedElsewhere(what: string): Notice {
  return {
    kind: 'warning',
    text: `${what} is no longer associated with your work account: it was moved to another work account or removed elsewhere. Nothing was removed here; your profile now shows what is associated.`,
  };
}

/**
 * Remove access (L7, L8) to the link shown, an MCID or a Partner University email: the dialog is
 * about that one. As it opens the profile is asked again, and the removal may find nothing
 * (NOT_FOUND): when the link shown ended elsewhere meanwhile, the dialog gives way to saying so and
 * the profile shows what is associated now.
 */
export function useRemoveAccess({
  shown,
  name,
  remove,
  removed,
  onChanged,
}: {
  shown: string | undefined;
  name: (shown: string) => string;
  remove: () => Promise<{ error?: CombinedError }>;
  removed: (shown: string) => string;
  onChanged: () => void;
}) {
  // The link the dialog is about; null while it is closed.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const gone = confirming !== null && shown !== confirming;
  useEffect(() => {
    if (!gone) return;
    setConfirming(null);
    setNotice(endedElsewhere(name(confirming)));
  }, [gone, confirming, name]);

  function open(link: string) {
    setError(null);
    setNotice(null);
    setConfirming(link);
    onChanged();
  }

  async function confirm() {
    if (confirming === null) return;
    setError(null);
    setBusy(true);
    const result = await remove();
    setBusy(false);
    const nothing = errorCode(result.error) === 'NOT_FOUND';
    if (result.error && !nothing) {
      setError(describeError(result.error));
      return;
    }
    setConfirming(null);
    setNotice(
      nothing
        ? endedElsewhere(name(confirming))
        : { kind: 'success', text: removed(confirming) },
    );
    onChanged();
  }

  return {
    confirming: gone ? null : confirming,
    busy,
    error,
    notice,
    setNotice,
    open,
    cancel: () => setConfirming(null),
    confirm: () => void confirm(),
  };
}
