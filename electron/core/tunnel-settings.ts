import type { Settings } from './contract';
import type { HooktrayCore } from './hooktray-core';
import type { Logger } from './logger';
import type { TunnelOptions, TunnelSupervisor } from './tunnel';
import { startTunnel } from './tunnel';
import { generateSubdomain } from './tunnel-subdomain';

/** Test and tuning options passed through to every supervisor this starts. */
export type TunnelTuning = Pick<TunnelOptions, 'probeOrigin' | 'timings'>;

/**
 * Runs the supervised tunnel from the settings and restarts it when the subdomain or tunnel
 * host changes there. A first start saves a generated subdomain through the settings, so the
 * public URL stays the same across restarts and the settings screen shows it.
 */
export async function superviseTunnelFromSettings(core: HooktrayCore, dataDir: string, logger: Logger, tuning: TunnelTuning = {}): Promise<{ stop(): void }> {
  if (core.settings.current.subdomain === null) {
    const saved = await core.settings.update({ subdomain: generateSubdomain() });
    if (!saved.ok) logger.warn('tunnel: saving the generated subdomain failed; it lasts until the app stops', { field: saved.field, message: saved.message });
  }

  let current = core.settings.current;
  let supervisor = startSupervisor(core, dataDir, current, logger, tuning);
  const unsubscribe = core.settings.onChange((next) => {
    const changed = next.subdomain !== current.subdomain || next.tunnelHost !== current.tunnelHost;
    current = next;
    if (!changed) return;
    logger.info('tunnel: restarting after a settings change', { subdomain: next.subdomain, tunnelHost: next.tunnelHost });
    supervisor?.stop();
    supervisor = startSupervisor(core, dataDir, next, logger, tuning);
  });
  return {
    stop: () => {
      unsubscribe();
      supervisor?.stop();
    },
  };
}

/** Starts one supervisor; an invalid host or subdomain leaves the tunnel offline with the reason shown. */
function startSupervisor(core: HooktrayCore, dataDir: string, settings: Settings, logger: Logger, tuning: TunnelTuning): TunnelSupervisor | null {
  const started = startTunnel(
    core,
    {
      dataDir,
      ...tuning,
      ...(settings.tunnelHost === null ? {} : { host: settings.tunnelHost }),
      ...(settings.subdomain === null ? {} : { subdomain: settings.subdomain }),
    },
    logger,
  );
  return started.ok ? started.supervisor : null;
}
