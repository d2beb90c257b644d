import { afterEach, describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CompetenciesPage } from './CompetenciesPage';
import { cloudPlatform } from './fixtures';
import { mockClient, withClient } from '../../test/mockClient';

function renderPage() {
  const client = mockClient({
    query: (name) =>
      name === 'CompetencyProgress'
        ? { data: { competencyProgress: [cloudPlatform] } }
        : name === 'CapabilityScore'
          ? { data: { capabilityScore: [] } }
          : 'pending',
  });
  render(withClient(client, <CompetenciesPage />));
}

const selected = () => screen.getAllByRole('tab').find((t) => t.getAttribute('aria-selected') === 'true')?.textContent;

// Outside review: the Forecast tab was not in the address; a reload or a shared link opened Progress.
describe('the Competencies tab is in the address', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('puts the Forecast tab in the address, and Back goes to Progress', async () => {
    window.history.replaceState(null, '', '/competencies?open=cloud-platform');
    renderPage();
    await userEvent.click(await screen.findByRole('tab', { name: 'Forecast' }));
    expect(window.location.pathname + window.location.search).toBe('/competencies?open=cloud-platform&tab=forecast');
    expect(selected()).toBe('Forecast');
    await userEvent.click(screen.getByRole('tab', { name: 'Progress' }));
    expect(window.location.search).toBe('?open=cloud-platform');
    // Back and forward: the address changes, then popstate.
    act(() => {
      window.history.replaceState(null, '', '/competencies?tab=forecast');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(selected()).toBe('Forecast');
    act(() => {
      window.history.replaceState(null, '', '/competencies');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(selected()).toBe('Progress');
  });

  it('opens the Forecast tab its address names, as after a reload or from a link', async () => {
    window.history.replaceState(null, '', '/competencies?tab=forecast');
    renderPage();
    await screen.findByRole('tab', { name: 'Forecast' });
    expect(selected()).toBe('Forecast');
    expect(screen.getByRole('tabpanel', { name: 'Forecast' })).toBeTruthy();
  });

  it('moves between the tabs with the arrow keys, in the address too', async () => {
    window.history.replaceState(null, '', '/competencies');
    renderPage();
    (await screen.findByRole('tab', { name: 'Progress' })).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(window.location.search).toBe('?tab=forecast');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Forecast' }));
  });
});
