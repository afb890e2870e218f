import fs from 'node:fs';
import path from 'node:path';

/** Non-empty lines of a sample file in ./fixtures (tests only). */
export function fixtureLines(name: string): string[] {
  return fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8').split('\n').filter((l) => l.trim() !== '');
}
