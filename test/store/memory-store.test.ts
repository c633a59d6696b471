import { createMemoryStore } from '../../src/store/memory-store.js';
import { runStoreDriverSuite } from './driver-suite.js';

runStoreDriverSuite('memory', async (options) => ({
  store: createMemoryStore(options),
  async cleanup() {},
}));
