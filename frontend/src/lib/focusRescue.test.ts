import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_WINDOW_MS, watchFocus } from './focusRescue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('focus rescue', () => {
  let stop: () => void;
  let clock = 0;
  beforeEach(() => {
    document.body.innerHTML = '<form><input id="pw" /><button id="go">Associate</button></form><p id="bg">text</p>';
    clock = 1_000_000;
    stop = watchFocus(document, () => clock);
  });
  afterEach(() => stop());

  const go = () => document.getElementById('go') as HTMLButtonElement;
  const act = () => {
    go().focus();
    go().click();
  };
  // What a disabled or removed button does in a browser: the focus falls to <body>.
  const drop = () => (document.activeElement as HTMLElement | null)?.blur();

  it('gives the focus to the message an action brought after its button lost it', async () => {
    act();
    drop();
    go().disabled = true;
    await tick();
    expect(document.activeElement).toBe(document.body); // nothing to give it to yet
    const alert = document.createElement('p');
    alert.className = 'alert alert-error';
    alert.setAttribute('role', 'alert');
    alert.textContent = 'That password is not correct.';
    document.body.append(alert);
    // The rescue runs a task after the change is observed: on a loaded machine, later than one tick.
    await vi.waitFor(() => expect(document.activeElement).toBe(alert));
    expect(alert.getAttribute('tabindex')).toBe('-1');
  });

  it('prefers the field the action marked invalid', async () => {
    act();
    drop();
    const alert = document.createElement('div');
    alert.setAttribute('role', 'alert');
    document.body.append(alert);
    document.getElementById('pw')!.setAttribute('aria-invalid', 'true');
    await vi.waitFor(() => expect(document.activeElement).toBe(document.getElementById('pw')));
  });

  it('goes back to where the action started when it brought nothing (a dialog closed)', async () => {
    act();
    drop();
    go().disabled = true;
    await tick();
    go().disabled = false;
    await vi.waitFor(() => expect(document.activeElement).toBe(go()));
  });

  it('never moves focus that is somewhere, nor after the window or a press on the background', async () => {
    act();
    const pw = document.getElementById('pw') as HTMLInputElement;
    pw.focus();
    document.body.append(Object.assign(document.createElement('div'), { className: 'alert' }));
    await tick();
    expect(document.activeElement).toBe(pw);

    act();
    clock += ACTION_WINDOW_MS + 1;
    drop();
    document.body.append(Object.assign(document.createElement('div'), { className: 'alert' }));
    await tick();
    expect(document.activeElement).toBe(document.body);

    act();
    document.getElementById('bg')!.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    drop();
    document.body.append(Object.assign(document.createElement('div'), { className: 'alert' }));
    await tick();
    expect(document.activeElement).toBe(document.body);
  });

  it('a click on the background is no action', async () => {
    document.getElementById('bg')!.click();
    document.body.append(Object.assign(document.createElement('div'), { className: 'alert' }));
    await tick();
    expect(document.activeElement).toBe(document.body);
  });
});
