/** Front door of detection: what other capabilities may use. A list of exports, nothing else. */
export { parseMiningLine, splitUser, type MiningMessage, type MiningKind, type MiningJob, type MiningProtocol, type MiningDirection } from './mining/stratum.ts';
export { parseStratum, stratumStage, stratumSummary, type MiningLogin, type StratumProtocol } from './mining/login.ts';
export { MiningSession, miningVerdict, toAlert, type MiningLine, type MiningVerdict, type AlertHost, type AlertFlow } from './mining/session.ts';
export { scoreMiningShape, poolLikeName, POOL_BRANDS, POOL_WORDS, type ShapeScore, type ShapeEvidence, type ShapeReason, type ShapeContext } from './mining/shape.ts';
export { algorithmInfo, coinOfWallet, coinName, difficultyOfTarget, type Coin, type AlgorithmInfo } from './mining/coins.ts';
export type { Detector, DetectorContext, FileLine, PayloadLine, StreamDetector, ThreatHit, ThreatView, WindowDetector } from './types.ts';
export { DetectorRuntime, type DetectorStatus, type RuntimeOptions } from './runtime.ts';
export { intelMatch } from './intel-match.ts';
export { miningProtocol, miningShape, suricata, httpFile, executableKind } from './streams.ts';
export { WINDOW_DETECTORS, beaconScore } from './windows.ts';
export { threatView } from './adapters.ts';
export { DETECTORS } from './catalog.ts';
