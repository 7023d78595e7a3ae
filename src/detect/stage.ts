/**
 * Where an indicator's category puts a host on the kill chain, and the threat key that groups a
 * host's alerts into one incident. Every mining signal (a pool name, a Stratum login, a
 * mining-shaped flow) is one threat, `mining`, so they fold into one incident per host; a
 * controller or a delivery server is its own threat, so two botnets are two incidents.
 */
import type { KillChainStage } from '../model/detect.ts';
import type { Severity } from '../model/events.ts';

export function stageOf(category: string): KillChainStage {
  const c = category.toLowerCase();
  if (/min(ing|er)|pool|crypto/.test(c)) return 'mining';
  if (/c2|c&c|botnet|command|rat\b|backdoor/.test(c)) return 'command-and-control';
  if (/download|delivery|dropper|exploit|phish|payload|distribution|malware-url/.test(c)) return 'delivery';
  if (/malware|trojan|loader/.test(c)) return 'installation';
  return 'action';
}

export function threatOf(stage: KillChainStage, indicator: string): string {
  switch (stage) {
    case 'mining':
      return 'mining';
    case 'command-and-control':
      return `c2:${indicator}`;
    case 'delivery':
      return `delivery:${indicator}`;
    case 'installation':
      return `malware:${indicator}`;
    case 'action':
      return `intel:${indicator}`;
  }
}

export function severityOf(stage: KillChainStage, confidence: number): Severity {
  if (stage === 'command-and-control' || stage === 'mining') return confidence >= 50 ? 'high' : 'medium';
  if (stage === 'delivery' || stage === 'installation') return confidence >= 70 ? 'high' : 'medium';
  return confidence >= 70 ? 'medium' : 'low';
}
