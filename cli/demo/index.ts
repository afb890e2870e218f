/** Demo traffic for `sargs demo`: the generator, its scenarios and an NDJSON batcher. */
export { generateDemo } from './generate-demo';
export type { DemoOptions } from './demo-options';
export type { DemoRecord } from './demo-emitter';
export { demoScenarios, type DemoScenario } from './demo-scenarios';
export { demoToNdjson } from './demo-to-ndjson';
export { isValidPersonCode, personCodeCheckDigit } from './person-code';
export { isLatvianWorkingDay } from './riga-time';
