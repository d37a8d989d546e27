/**
 * Task values (messages, results, arguments) are msgpack data, which JSON cannot hold in full. This is the one
 * mapping the CLI uses for stdout and the log directory: bigint as a decimal string, Map as [key, value] pairs,
 * Set and typed arrays as arrays, Error as { name, message }; a cyclic value becomes its String().
 */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value, replacer) ?? 'null';
  } catch {
    return JSON.stringify(String(value));
  }
}

/** The same mapping as a JSON-ready value, to embed in a larger record. */
export function toJsonValue(value: unknown): unknown {
  return JSON.parse(toJsonText(value)) as unknown;
}

/** A message or result as one line of plain output: strings as they are, anything else as JSON. */
export function formatPlain(value: unknown): string {
  return typeof value === 'string' ? value : toJsonText(value);
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // `value` is what toJSON() made of the original; a Buffer's would be { type, data }: use the bytes instead.
  const original = (this as Record<string, unknown>)[key];
  if (ArrayBuffer.isView(original) && !(original instanceof DataView)) return Array.from(original as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Set) return [...value.values()];
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
