const labels: Record<string, string> = {
  NOT_STARTED: 'Not started',
  IN_PROGRESS: 'In progress',
  QUALIFIED: 'Qualified',
  ACTIVE: 'Active',
  AT_RISK: 'At risk',
  REQUIREMENTS_UNMET: 'Requirements unmet',
};

/** What each status means, for the badge's title and screen readers (C5). */
export const statusMeaning: Record<string, string> = {
  NOT_STARTED: 'Nobody counts towards it yet.',
  IN_PROGRESS: 'Some requirements are met, not all of any option.',
  QUALIFIED: 'Every requirement of an option is met: the offer can be purchased.',
  ACTIVE: 'The offer is purchased and its requirements stay met until the anniversary.',
  AT_RISK: 'Met today, but projected to become unmet before the anniversary (or within 90 days): see the Forecast.',
  REQUIREMENTS_UNMET: 'The offer is purchased but its requirements are unmet now, not just forecast to be.',
};

/** C5 status as a coloured badge: AT_RISK (a forecast) amber, REQUIREMENTS_UNMET (the present) red. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase().replaceAll('_', '-')}`} title={statusMeaning[status]}>
      {labels[status] ?? status}
    </span>
  );
}

export function levelLabel(level: string): string {
  return level.charAt(0) + level.slice(1).toLowerCase();
}
