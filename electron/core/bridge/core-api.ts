import type { HooktrayApi, InvokeChannel, InvokeChannels } from '../contract';
import type { HooktrayCore } from '../hooktray-core';

/** Wraps the core's handlers and pushes as a HooktrayApi, for adapters that run in the same process. */
export function coreApi(core: Pick<HooktrayCore, 'handlers' | 'pushes'>): HooktrayApi {
  return {
    invoke<C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request']): Promise<InvokeChannels[C]['response']> {
      const handler = core.handlers[channel] as (request: InvokeChannels[C]['request']) => Promise<InvokeChannels[C]['response']>;
      return handler(request);
    },
    subscribe: (channel, listener) => core.pushes.subscribe(channel, listener),
  };
}
