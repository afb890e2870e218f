import { createMemoryCorrelationWindows } from './correlation-windows';
import { runCorrelationWindowsContract } from './correlation-windows.contract';

describe('correlation windows in this process', () => {
  runCorrelationWindowsContract(async (rules) => {
    const windows = createMemoryCorrelationWindows(rules);
    return { windows, again: () => windows };
  });
});
