/** Values that refer to themselves, one of each container the codec carries: the cycle tests' shared inputs. */
export function cyclicValues(): { object: Record<string, unknown>; array: unknown[]; map: Map<string, unknown>; set: Set<unknown> } {
  const object: Record<string, unknown> = { name: 'loop' };
  object.self = object;
  const array: unknown[] = [1];
  array.push(array);
  const map = new Map<string, unknown>();
  map.set('me', map);
  const set = new Set<unknown>();
  set.add(set);
  return { object, array, map, set };
}
