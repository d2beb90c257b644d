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
  let loads = 0;
  const flaky = () => {
    down = true;
    loads = 0;
    return page(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5)); // as over the network
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

  it('says so once, without asking for its code again and again', async () => {
    show(flaky());
    await screen.findByRole('button', { name: /try again/i });
    await new Promise((r) => setTimeout(r, 200));
    // A review's browser asked for the page's code about 200 times a second while the server was down.
    expect(loads).toBeLessThanOrEqual(2);
    expect(screen.getByRole('button', { name: /try again/i })).toBeTruthy();
  });

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

  it('loads again when opened again from another page', async () => {
    const p = flaky();
    const first = show(p);
    await screen.findByRole('button', { name: /try again/i });
    first.unmount(); // another page
    down = false;
    show(p);
    expect(await screen.findByRole('heading', { name: 'Hello page' })).toBeTruthy();
  });
});
