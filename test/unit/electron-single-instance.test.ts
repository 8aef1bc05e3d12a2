import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance } from '../../electron/single-instance';

/** An `app` whose lock is held by another process when `locked` is true. */
function fakeApp(locked: boolean) {
  const events = new EventEmitter();
  const app = {
    quitCalls: 0,
    requestSingleInstanceLock: () => !locked,
    quit: () => {
      app.quitCalls += 1;
    },
    on: (event: string, listener: () => void) => {
      events.on(event, listener);
      return app;
    },
    emit: (event: string) => events.emit(event),
  };
  return app;
}

describe('claimSingleInstance', () => {
  it('lets the first instance run', () => {
    const app = fakeApp(false);
    expect(claimSingleInstance(app as never, () => undefined)).toBe(true);
    expect(app.quitCalls).toBe(0);
  });

  it('quits a second instance', () => {
    const app = fakeApp(true);
    expect(claimSingleInstance(app as never, () => undefined)).toBe(false);
    expect(app.quitCalls).toBe(1);
  });

  it('shows the first instance on a second start', () => {
    const app = fakeApp(false);
    let shown = 0;
    claimSingleInstance(app as never, () => (shown += 1));
    app.emit('second-instance');
    expect(shown).toBe(1);
  });
});
