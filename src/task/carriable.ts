/**
 * What the payload codec (msgpack, src/protocol/payload-codec.ts) carries faithfully between threads, checked
 * before a value leaves its sender. msgpackr alone would turn a function into `undefined` and a class instance
 * into a plain object without a word; we refuse both where they are passed, naming the path of the offending value.
 *
 * Carried: null, undefined, booleans, numbers, bigints, strings, arrays, plain objects (prototype Object or null),
 * Map, Set, Date, RegExp, Error, ArrayBuffer and typed arrays (Buffer too). Refused: functions, symbols, and
 * objects of any other class (Promise, WeakMap, a user class, ...). Symbol-keyed properties are not data and are
 * not carried. Cycles are allowed.
 */

const CARRIED_CLASSES: readonly Function[] = [Map, Set, Date, RegExp, Error, ArrayBuffer];
const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, null]);

/** Why a value cannot be carried, and where. `path` is like `args[0].options.onDone`. */
export interface Uncarriable {
  readonly path: string;
  readonly reason: string;
}

/** The first part of `value` that cannot be carried, or `undefined` when all of it can. */
export function findUncarriable(value: unknown, path: string): Uncarriable | undefined {
  // The common case, an argument list of primitives, allocates nothing: the cycle guard is made only when an
  // element is itself an object.
  if (Array.isArray(value)) {
    let seen: Set<object> | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'function' || typeof item === 'symbol') return visit(item, `${path}[${i}]`, new Set());
      if (typeof item !== 'object' || item === null) continue;
      seen ??= new Set<object>([value]);
      const bad = visitObject(item, `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  return visit(value, path, new Set());
}

/**
 * Throws a TypeError naming `what` (e.g. `task "hashFile" argument`) and the path, unless `value` is carriable.
 */
export function assertCarriable(value: unknown, what: string, path: string): void {
  const bad = findUncarriable(value, path);
  if (bad) throw new TypeError(`${what} cannot be sent between threads: ${bad.path} is ${bad.reason}`);
}

function visit(value: unknown, path: string, seen: Set<object>): Uncarriable | undefined {
  switch (typeof value) {
    case 'function':
      return { path, reason: `a function (${value.name || 'anonymous'}); send data and look the code up by name` };
    case 'symbol':
      return { path, reason: `a symbol (${String(value)})` };
    case 'object':
      return value === null ? undefined : visitObject(value, path, seen);
    default:
      return undefined;
  }
}

function visitObject(value: object, path: string, seen: Set<object>): Uncarriable | undefined {
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = visit(value[i], `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(value)) return undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const bad = visit(key, `${path}.<key ${describeKey(key)}>`, seen) ?? visit(item, `${path}.get(${describeKey(key)})`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const bad = visit(item, `${path}.<item ${i++}>`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (CARRIED_CLASSES.some((cls) => value instanceof cls)) return undefined;
  if (!PLAIN_PROTOTYPES.has(Object.getPrototypeOf(value))) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name || 'an unnamed class';
    return { path, reason: `an instance of ${name}, which would arrive as a plain object without its class` };
  }
  for (const key of Object.keys(value)) {
    const bad = visit((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (bad) return bad;
  }
  return undefined;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  try {
    return String(key);
  } catch {
    // A key without a usable toString (a null-prototype object, say) is still a key: never throw while naming it.
    return Object.prototype.toString.call(key);
  }
}
