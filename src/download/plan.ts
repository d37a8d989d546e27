/**
 * The main thread's view of the whole download: every manifest and file the workers reported, so that the
 * same manifest is fetched once, include cycles stop, and two entries never write the same path (or each
 * other's `.part`). Workers validate one manifest each; only the main thread sees them all.
 */
import type { ManifestJob, ManifestMessage, PlannedFile, PlannedInclude, TransferSettings } from './messages.js';

/** Includes nested deeper than this are refused (a chain of distinct URLs that never ends, say). */
export const MAX_INCLUDE_DEPTH = 32;

/** A problem found across manifests: the entry is left out and the run fails (exit 1). */
export interface PlanProblem {
  readonly manifest: string;
  readonly field: string;
  readonly path?: string;
  readonly message: string;
}

export interface PlanStep {
  readonly files: PlannedFile[];
  readonly manifests: ManifestJob[];
  readonly problems: PlanProblem[];
}

const SUFFIXES = ['.part', '.part.bad', '.unpacking'];

export class DownloadPlan {
  readonly files = new Map<string, PlannedFile>();
  /** Manifests fetched or being fetched, by URL and folder. */
  readonly #manifests = new Set<string>();
  /** Names a file's temporary files take, and whose they are. */
  readonly #reserved = new Map<string, string>();
  readonly #settings: TransferSettings;
  manifestsRead = 0;
  names: string[] = [];

  constructor(settings: TransferSettings) {
    this.#settings = settings;
  }

  get manifestsPlanned(): number {
    return this.#manifests.size;
  }

  /** The job of the root manifest. */
  root(url: string): ManifestJob {
    this.#manifests.add(`${url}\n`);
    return { url, folder: '', ancestors: [], ...this.#settings };
  }

  /** Takes a manifest a worker read; returns the files and manifests to schedule, and what was refused. */
  add(message: ManifestMessage): PlanStep {
    this.manifestsRead++;
    if (message.name) this.names.push(message.name);
    const step: PlanStep = { files: [], manifests: [], problems: [] };
    for (const file of message.files) {
      const problem = this.#addFile(file);
      if (problem === undefined) step.files.push(file);
      else if (problem) step.problems.push({ manifest: file.manifest, field: file.field, path: file.path, message: problem });
    }
    const chain = [...message.ancestors, message.url];
    for (const include of message.includes) {
      const job = this.#include(include, chain);
      if (typeof job === 'string') step.problems.push({ manifest: include.manifest, field: include.field, message: job });
      else if (job) step.manifests.push(job);
    }
    return step;
  }

  /** undefined: added; false: an identical entry is already planned; a string: why it was refused. */
  #addFile(file: PlannedFile): string | false | undefined {
    const existing = this.files.get(file.path);
    if (existing) {
      if (sameEntry(existing, file)) return false;
      return `${file.field}.path ${JSON.stringify(file.path)} is already the path of ${existing.field} in manifest ${existing.manifest}; this entry is not downloaded`;
    }
    const owner = this.#reserved.get(file.path);
    if (owner) return `${file.field}.path ${JSON.stringify(file.path)} is a temporary file name of ${JSON.stringify(owner)}; this entry is not downloaded`;
    const clash = SUFFIXES.map((suffix) => file.path + suffix).find((name) => this.files.has(name));
    if (clash) return `${file.field}.path ${JSON.stringify(file.path)} would use ${JSON.stringify(clash)}, the path of another file, as a temporary file; this entry is not downloaded`;
    this.files.set(file.path, file);
    for (const suffix of SUFFIXES) this.#reserved.set(file.path + suffix, file.path);
    return undefined;
  }

  #include(include: PlannedInclude, chain: string[]): ManifestJob | string | undefined {
    if (chain.includes(include.url)) {
      return `${include.field}: including ${include.url} again would loop: ${[...chain, include.url].join(' -> ')}`;
    }
    if (chain.length >= MAX_INCLUDE_DEPTH) return `${include.field}: includes are nested more than ${MAX_INCLUDE_DEPTH} deep`;
    const key = `${include.url}\n${include.folder}`;
    if (this.#manifests.has(key)) return undefined; // included twice into the same folder: once is enough
    this.#manifests.add(key);
    return { url: include.url, folder: include.folder, ancestors: chain, ...this.#settings };
  }
}

function sameEntry(a: PlannedFile, b: PlannedFile): boolean {
  return a.url === b.url && a.size === b.size && a.sha256 === b.sha256 && a.decompress === b.decompress;
}
