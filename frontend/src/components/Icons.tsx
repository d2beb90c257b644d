// Inline icons (a few paths each): no icon font, nothing fetched.
import type { SVGProps } from 'react';

const base = { width: 20, height: 20, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true } as const;

export const LogoMark = (p: SVGProps<SVGSVGElement>) => (
  <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" {...p}>
    <rect width="32" height="32" rx="7" fill="#0e7c86" />
    <path d="M10 17.5a5 5 0 0 1 0-7l2-2a5 5 0 0 1 7 0" fill="none" stroke="#ccfbf1" strokeWidth="3" strokeLinecap="round" />
    <path d="M22 14.5a5 5 0 0 1 0 7l-2 2a5 5 0 0 1-7 0" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
  </svg>
);
export const IconUser = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><circle cx="12" cy="8" r="4" /><path d="M4 21c0-4 4-6 8-6s8 2 8 6" /></svg>);
export const IconAward = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><circle cx="12" cy="9" r="6" /><path d="M8.5 14 7 22l5-3 5 3-1.5-8" /></svg>);
export const IconBadge = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M12 3 4 6v6c0 4.5 3.4 8 8 9 4.6-1 8-4.5 8-9V6z" /><path d="m8.5 12 2.5 2.5 4.5-5" /></svg>);
export const IconTable = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><rect x="3" y="4" width="18" height="16" rx="2" /><path d="M3 10h18M9 10v10" /></svg>);
export const IconUsers = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c0-3.5 3-5.5 6.5-5.5s6.5 2 6.5 5.5" /><path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14.8c2 .7 3.5 2.4 3.5 5.2" /></svg>);
export const IconBell = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4z" /><path d="M10 21h4" /></svg>);
export const IconMail = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><rect x="3" y="5" width="18" height="14" rx="2" /><path d="m3 7 9 6 9-6" /></svg>);
export const IconLifebuoy = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><circle cx="12" cy="12" r="9" /><circle cx="12" cy="12" r="4" /><path d="m5.6 5.6 3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6" /></svg>);
export const IconKey = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><circle cx="8" cy="15" r="4" /><path d="m11 12 9-9M17 6l3 3M15 8l2 2" /></svg>);
export const IconCode = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="m8 8-5 4 5 4M16 8l5 4-5 4M14 4l-4 16" /></svg>);
export const IconMenu = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M4 7h16M4 12h16M4 17h16" /></svg>);
export const IconCheck = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="m5 12.5 4.5 4.5L19 7.5" /></svg>);
export const IconLink = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" /><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" /></svg>);
export const IconCalendar = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><rect x="3" y="5" width="18" height="16" rx="2" /><path d="M3 10h18M8 3v4M16 3v4" /></svg>);
export const IconSchool = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="m2 9 10-5 10 5-10 5z" /><path d="M6 11v5c0 1.5 3 3 6 3s6-1.5 6-3v-5" /></svg>);
export const IconSignOut = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3" /><path d="m10 16-4-4 4-4M6 12h10" /></svg>);
export const IconHistory = (p: SVGProps<SVGSVGElement>) => (<svg {...base} {...p}><path d="M3 12a9 9 0 1 0 3-6.7L3 8" /><path d="M3 3v5h5M12 7v5l3 2" /></svg>);
