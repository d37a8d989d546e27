// The benchmark's worker module for plain piscina: the same no-op as benchmarks/noop-tasks.js.
export default function noop() {
  return undefined;
}
