// Runs variants in alternation: every round runs each variant once, starting from a different one each round.
import { median, rotate, timed } from '../lib/common.js';

/**
 * `variants`: { name: async () => extra } where extra is an optional object of more figures for that run.
 * `per`: how many units one run processes (tasks, messages), for rates and CPU per unit.
 * `roundsOf(name)`: rounds for that variant (default `rounds`); a variant with fewer rounds sits out the last
 * ones, and the others still alternate.
 * Returns { name: { rate (median units/s), ms, cpuUsPerUnit, threadsUsPerUnit, runs: [{ ms, cpuUs, threads, ...extra }] } },
 * where threads / threadsUsPerUnit split the CPU by thread (lib/thread-cpu.js; absent off Linux).
 */
export async function alternate(variants, { rounds, per, warmup, roundsOf = () => rounds }) {
  const names = Object.keys(variants);
  if (warmup) for (const name of names) await warmup(name);
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  const most = Math.max(...names.map(roundsOf));
  for (let round = 0; round < most; round++) {
    for (const name of rotate(names, round)) {
      if (round >= roundsOf(name)) continue;
      const { ms, cpuUs, threads, value } = await timed(variants[name]);
      runs[name].push({ ms, cpuUs, ...(threads ? { threads } : {}), ...(value ?? {}) });
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const r = runs[name];
      return [
        name,
        {
          rate: median(r.map((x) => (per / x.ms) * 1000)),
          ms: median(r.map((x) => x.ms)),
          cpuUsPerUnit: median(r.map((x) => x.cpuUs / per)),
          ...(r.every((x) => x.threads) ? { threadsUsPerUnit: perUnit(r.map((x) => x.threads), per) } : {}),
          runs: r,
        },
      ];
    }),
  );
}

/** The median of each kind of thread's CPU (lib/thread-cpu.js), per unit. */
function perUnit(splits, per) {
  const kinds = Object.keys(splits[0]);
  return Object.fromEntries(kinds.map((kind) => [kind, median(splits.map((split) => split[kind] / per))]));
}
