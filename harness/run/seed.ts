import { readEnvironment } from './environment.ts';
import { SeededRandom } from '../workload/random.ts';

/** The seed given, else ZK_CHAOS_SEED's, else a fresh one (printed by the run, so it can be passed back). */
export function resolveSeed(seed?: number): number {
  return seed ?? readEnvironment().seed ?? SeededRandom.freshSeed();
}
