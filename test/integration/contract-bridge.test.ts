import { describeContract } from '../support/contract-suite';
import { connectClient, startBridge } from '../support/bridge-client';

describeContract('the browser bridge', async (core) => {
  const bridge = await startBridge(core);
  const api = await connectClient(bridge);
  return {
    api,
    close: async () => {
      api.close();
      await bridge.close();
    },
  };
});
