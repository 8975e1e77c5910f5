// GetServerVersion reports the LittleHorse API level Filly implements, which is what clients use
// the answer for (lhctl compares it with its own version).
import type { LittleHorseVersion } from '@filly/proto';

export const API_VERSION: LittleHorseVersion = { majorVersion: 1, minorVersion: 2, patchVersion: 1, preReleaseIdentifier: undefined };

export function getServerVersion(): LittleHorseVersion {
  return API_VERSION;
}
