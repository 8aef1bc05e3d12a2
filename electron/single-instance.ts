import type { App } from 'electron';

/**
 * Takes the single-instance lock. A second start quits at once and the running instance
 * runs `onSecondInstance` (showing its window), so two processes never open the same store.
 */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>, onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondInstance);
  return true;
}
