import { Suspense } from 'react';
import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PageErrorBoundary, page } from './App';
import { RENAVIGATE } from './lib/router';

function Hello() {
  return <h1>Hello page</h1>;
}

// A page whose code failed to arrive (the server was down) loads again once
// asked: by Try again, or by following its link in the menu again (review:
// it kept failing from the menu after the server was back).
describe('a page that failed to load', () => {
  let down = true;
  const flaky = () => {
    down = true;
    return page(async () => {
      if (down) throw new TypeError('Failed to fetch dynamically imported module');
      return { Hello };
    }, 'Hello');
  };
  const show = (p: ReturnType<typeof flaky>) =>
    render(
      <PageErrorBoundary>
        <Suspense fallback={<p>Loading…</p>}>
          <p.Page />
        </Suspense>
      </PageErrorBoundary>,
    );

  it('loads again on Try again', async () => {
    show(flaky());
    const retry = await screen.findByRole('button', { name: /try again/i });
    down = false; // the server is back
    await userEvent.click(retry);
    expect(await screen.findByRole('heading', { name: 'Hello page' })).toBeTruthy();
  });

  it("loads again when its link is followed again", async () => {
    show(flaky());
    await screen.findByRole('button', { name: /try again/i });
    down = false;
    act(() => {
      window.dispatchEvent(new Event(RENAVIGATE));
    });
    expect(await screen.findByRole('heading', { name: 'Hello page' })).toBeTruthy();
  });
});
