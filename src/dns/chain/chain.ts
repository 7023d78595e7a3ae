/**
 * Runs a query through the stages in order: each stage answers or calls `next`. The last `next`
 * (no stage left) is a SERVFAIL with reason `no-resolver`, so a chain without an upstream stage
 * says so instead of hanging.
 */
import { RCODE } from '../wire/index.ts';
import { answer, type MaybeAnswer, type Next, type Query, type Stage } from './types.ts';

export class Chain {
  /** nexts[i] runs stage i (made once, not a closure per query and stage). */
  private readonly nexts: Next[];

  constructor(readonly stages: readonly Stage[]) {
    this.nexts = stages.map((_, i) => (q: Query) => this.at(i, q));
    this.nexts.push(() => answer('servfail', 'no-resolver', RCODE.SERVFAIL));
  }

  /** The answer, synchronously when no stage had to wait. */
  resolve(q: Query): MaybeAnswer {
    return this.nexts[0]!(q);
  }

  private at(i: number, q: Query): MaybeAnswer {
    return this.stages[i]!.resolve(q, this.nexts[i + 1]!);
  }

  names(): string[] {
    return this.stages.map((s) => s.name);
  }
}
