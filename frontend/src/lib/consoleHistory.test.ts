import { describe, expect, it } from 'vitest';
import { forgetConsole } from './consoleHistory';

describe('forgetConsole', () => {
  it("removes the console's keys from both storages and nothing else", () => {
    localStorage.setItem('graphiql:query', '# my learn password is hunter2');
    localStorage.setItem('graphiql:variables', '{"p":"hunter2"}');
    sessionStorage.setItem('graphiql:tabState', '{}');
    localStorage.setItem('certlink:theme', 'dark');
    forgetConsole();
    expect(localStorage.getItem('graphiql:query')).toBeNull();
    expect(localStorage.getItem('graphiql:variables')).toBeNull();
    expect(sessionStorage.getItem('graphiql:tabState')).toBeNull();
    expect(localStorage.getItem('certlink:theme')).toBe('dark');
  });
});
