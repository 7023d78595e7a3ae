/**
 * Runs a query through the stages in order: each stage answers or calls `next`. The last `next`
 * (no stage left) is a SERVFAIL with reason `no-resolver`, so a chain without an upstream stage
 * says so instead of hanging.
 */
import { RCODE } from '../wire/index.ts';
import { answer, type Answer, type Query, type Stage } from './types.ts';

export class Chain {
  constructor(readonly stages: readonly Stage[]) {}

  resolve(q: Query): Promise<Answer> {
    return this.at(0, q);
  }

  private at(i: number, q: Query): Promise<Answer> {
    const stage = this.stages[i];
    if (stage === undefined) return Promise.resolve(answer('servfail', 'no-resolver', RCODE.SERVFAIL));
    return stage.resolve(q, (next) => this.at(i + 1, next));
  }

  names(): string[] {
    return this.stages.map((s) => s.name);
  }
}
