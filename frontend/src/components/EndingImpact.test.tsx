import { describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { EndingImpact } from './EndingImpact';
import { mockClient, withClient } from '../test/mockClient';

function renderImpact(countsTowards: number, who?: string) {
  cleanup();
  const client = mockClient({
    query: () => ({ data: { linkEndingImpact: { countsTowards, lossCount: 0, detailsVisible: true, losses: [] } } }),
  });
  render(withClient(client, <EndingImpact kind="LEARNING" who={who} orgName="Contoso Ltd" />));
  return screen.getByTestId('impact').textContent;
}

// Outside review: Remove access said "you counts towards none now".
describe('what ending a link would untick, in a sentence that agrees with its subject', () => {
  it('says "you count" of your own links', () => {
    expect(renderImpact(0)).toBe('No requirement of Contoso Ltd loses its tick: you count towards none now.');
  });
  it('says "you count" with a number too', () => {
    expect(renderImpact(2)).toBe('No requirement of Contoso Ltd loses its tick: you count towards 2 requirements, which others still meet.');
  });
  it('says "<name> counts" of another person', () => {
    expect(renderImpact(0, 'Riley Chen')).toBe('No requirement of Contoso Ltd loses its tick: Riley Chen counts towards none now.');
    expect(renderImpact(1, 'Riley Chen')).toBe('No requirement of Contoso Ltd loses its tick: Riley Chen counts towards 1 requirement, which others still meet.');
  });
});
