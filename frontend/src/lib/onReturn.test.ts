import { describe, expect, it, vi } from 'vitest';
import { onReturn, RETURN_GAP_MS } from './onReturn';

describe('a page asks again when its reader comes back', () => {
  it('refreshes on focus and when the tab is shown again, not right after loading nor twice at once', () => {
    let now = 1_000_000;
    const refresh = vi.fn();
    const stop = onReturn(refresh, window, () => now);
    window.dispatchEvent(new Event('focus'));
    expect(refresh).not.toHaveBeenCalled(); // just loaded

    now += RETURN_GAP_MS + 1;
    window.dispatchEvent(new Event('focus'));
    document.dispatchEvent(new Event('visibilitychange')); // the same return
    expect(refresh).toHaveBeenCalledTimes(1);

    now += RETURN_GAP_MS + 1;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(refresh).toHaveBeenCalledTimes(2);

    stop();
    now += RETURN_GAP_MS + 1;
    window.dispatchEvent(new Event('focus'));
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('does not refresh a tab that was hidden', () => {
    let now = 0;
    const refresh = vi.fn();
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    const stop = onReturn(refresh, window, () => now);
    now += RETURN_GAP_MS + 1;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(refresh).not.toHaveBeenCalled();
    stop();
    hidden.mockRestore();
  });
});
