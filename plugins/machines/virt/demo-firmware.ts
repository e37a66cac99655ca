import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The demo firmware the board boots when given neither firmware nor a
 * kernel (source and build script in `demo-firmware/`). It sits next to
 * this module in the source tree, or under the package's plugins/ folder
 * when running from the bundle in dist/.
 */
export function demoFirmwarePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'demo-firmware', 'demo.bin'), join(here, '..', 'plugins', 'machines', 'virt', 'demo-firmware', 'demo.bin')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the demo firmware is missing (looked in ${candidates.join(', ')})`);
  return found;
}
