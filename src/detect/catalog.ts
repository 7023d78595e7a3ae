/** Every detector Minewarden runs, in the order `minewarden detectors` lists them. */
import { intelMatch } from './intel-match.ts';
import { httpFile, miningProtocol, miningShape, suricata } from './streams.ts';
import type { Detector } from './types.ts';
import { WINDOW_DETECTORS } from './windows.ts';

export const DETECTORS: readonly Detector[] = [intelMatch, miningProtocol, miningShape, suricata, httpFile, ...WINDOW_DETECTORS];
