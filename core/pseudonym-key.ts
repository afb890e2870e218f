import path from 'node:path';
import { loadOrCreateKeyFile } from './key-file';

const KEY_FILE = 'pseudonym.key';
const KEY_BYTES = 32;

/**
 * The secret key for person-code pseudonyms and event ids (collector/pseudonymise.ts).
 *
 * Order: the configured key (SARGS_PSEUDONYM_KEY, used as its UTF-8 bytes), else `<dataDir>/pseudonym.key`, else
 * 32 random bytes written to that file. The file is created exclusively (`wx`) with mode 0600, so when two
 * processes start at once one writes and both use what it wrote. Losing the key makes earlier pseudonyms
 * unsearchable: back the file up with the data.
 */
export function loadPseudonymKey(config: { pseudonymKey?: string; dataDir: string }): Buffer {
  if (config.pseudonymKey !== undefined && config.pseudonymKey !== '') return Buffer.from(config.pseudonymKey, 'utf8');
  return loadOrCreateKeyFile(path.join(config.dataDir, KEY_FILE), { bytes: KEY_BYTES, what: 'pseudonym key' });
}
