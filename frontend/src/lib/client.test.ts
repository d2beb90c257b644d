import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pipe, subscribe } from 'wonka';

type Options = { on?: { closed?: (event: unknown) => void } };
const made: { options: Options; dispose: ReturnType<typeof vi.fn> }[] = [];
vi.mock('graphql-ws', () => ({
  createClient: (options: Options) => {
    const dispose = vi.fn();
    made.push({ options, dispose });
    return { subscribe: () => () => {}, dispose };
  },
}));

const { createApiClient } = await import('./client');

function subscribeOnce(client: ReturnType<typeof createApiClient>) {
  pipe(
    client.subscription('subscription { competencyProgressChanged { status } }', {}),
    subscribe(() => {}),
  );
}

describe('a socket closed by the server for the sign-in ends the client', () => {
  beforeEach(() => {
    made.length = 0;
  });
  it('4401: the session ended', () => {
    const ended = vi.fn();
    const changed = vi.fn();
    subscribeOnce(createApiClient(ended, changed));
    expect(made).toHaveLength(1);
    made[0].options.on?.closed?.({ code: 4401 });
    expect(ended).toHaveBeenCalledTimes(1);
    expect(changed).not.toHaveBeenCalled();
    expect(made[0].dispose).toHaveBeenCalled();
  });
  it('4403: roles or organization changed', () => {
    const ended = vi.fn();
    const changed = vi.fn();
    subscribeOnce(createApiClient(ended, changed));
    made[0].options.on?.closed?.({ code: 4403 });
    expect(changed).toHaveBeenCalledTimes(1);
    expect(ended).not.toHaveBeenCalled();
  });
  it('other closes (a restart, a network loss) leave the session alone', () => {
    const ended = vi.fn();
    const changed = vi.fn();
    subscribeOnce(createApiClient(ended, changed));
    for (const code of [1000, 1001, 1006, 4429, 4500]) made[0].options.on?.closed?.({ code });
    expect(ended).not.toHaveBeenCalled();
    expect(changed).not.toHaveBeenCalled();
    expect(made[0].dispose).not.toHaveBeenCalled();
  });
});
