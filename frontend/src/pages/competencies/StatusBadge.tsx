const labels: Record<string, string> = {
  NOT_STARTED: 'Not started',
  IN_PROGRESS: 'In progress',
  QUALIFIED: 'Qualified',
  ACTIVE: 'Active',
  AT_RISK: 'At risk',
};

/** C5 status as a coloured badge; AT_RISK stands out. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase().replaceAll('_', '-')}`}>{labels[status] ?? status}</span>;
}

export function levelLabel(level: string): string {
  return level.charAt(0) + level.slice(1).toLowerCase();
}
