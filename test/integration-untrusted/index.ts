// The extension-host suite that runs in an UNTRUSTED workspace (workspace trust enabled and
// not granted): see test/harness/runIntegration.ts --untrusted.
export { run } from '../integration/index';
