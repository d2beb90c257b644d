// Its own module: Designations shows it too, without loading the Competencies page.

/** "Live" while the socket is open and has delivered; otherwise the page quietly shows what it loaded. */
export function LiveIndicator({ live, socket }: { live: boolean; socket: string }) {
  const state = live && socket === 'open' ? 'live' : socket === 'down' ? 'paused' : 'connecting';
  const text = state === 'live' ? 'Live' : state === 'paused' ? 'Not live' : 'Connecting…';
  const title =
    state === 'live'
      ? 'Updates as soon as someone links, unlinks or passes an exam.'
      : state === 'paused'
        ? 'Live updates are unavailable right now; showing what was loaded. Reconnecting in the background.'
        : 'Connecting for live updates.';
  return (
    <span className={`live live-${state}`} role="status" title={title} data-testid="live-indicator">
      <span className="live-dot" aria-hidden="true" />
      {text}
      <span className="sr-only">: {title}</span>
    </span>
  );
}
