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
import { borrowVisited, returnVisited, type VisitedObjects } from '../protocol/visited-objects.js';

const CARRIED_CLASSES: readonly Function[] = [Map, Set, Date, RegExp, Error, ArrayBuffer];

/** Why a value cannot be carried, and where. `path` is like `args[0].options.onDone`. */
export interface Uncarriable {
  readonly path: string;
  readonly reason: string;
}

/** The first part of `value` that cannot be carried, or `undefined` when all of it can. */
export function findUncarriable(value: unknown, path: string): Uncarriable | undefined {
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') return undefined;
  // Every message and return value is checked: the walk allocates nothing unless something is wrong (the path is
  // built on the way back up) or the value is large (see VisitedObjects).
  const visited = borrowVisited();
  try {
    const bad = visit(value, visited);
    return bad && { path: path + bad.trail.reverse().join(''), reason: bad.reason };
  } finally {
    returnVisited(visited);
  }
}

/**
 * Throws a TypeError naming `what` (e.g. `task "hashFile" argument`) and the path, unless `value` is carriable.
 */
export function assertCarriable(value: unknown, what: string, path: string): void {
  const bad = findUncarriable(value, path);
  if (bad) throw new TypeError(`${what} cannot be sent between threads: ${bad.path} is ${bad.reason}`);
}

/** What is wrong, and the path to it from the value checked, innermost step first. */
interface Bad {
  readonly reason: string;
  readonly trail: string[];
}

function visit(value: unknown, visited: VisitedObjects): Bad | undefined {
  switch (typeof value) {
    case 'function':
      return { reason: `a function (${value.name || 'anonymous'}); send data and look the code up by name`, trail: [] };
    case 'symbol':
      return { reason: `a symbol (${String(value)})`, trail: [] };
    case 'object':
      return value === null ? undefined : visitObject(value, visited);
    default:
      return undefined;
  }
}

function visitObject(value: object, visited: VisitedObjects): Bad | undefined {
  if (visited.metBefore(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = visit(value[i], visited);
      if (bad) return step(bad, `[${i}]`);
    }
    return undefined;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    // for-in, as msgpackr's writer walks them, and no array of keys per object
    for (const key in value) {
      const bad = visit((value as Record<string, unknown>)[key], visited);
      if (bad) return step(bad, `.${key}`);
    }
    return undefined;
  }
  if (ArrayBuffer.isView(value)) return undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const badKey = visit(key, visited);
      if (badKey) return step(badKey, `.<key ${describeKey(key)}>`);
      const bad = visit(item, visited);
      if (bad) return step(bad, `.get(${describeKey(key)})`);
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const bad = visit(item, visited);
      if (bad) return step(bad, `.<item ${i}>`);
      i++;
    }
    return undefined;
  }
  if (CARRIED_CLASSES.some((cls) => value instanceof cls)) return undefined;
  const name = (value as { constructor?: { name?: string } }).constructor?.name || 'an unnamed class';
  return { reason: `an instance of ${name}, which would arrive as a plain object without its class`, trail: [] };
}

function step(bad: Bad, segment: string): Bad {
  bad.trail.push(segment);
  return bad;
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
