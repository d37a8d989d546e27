/**
 * Paths from a manifest name files under the output folder and may never lead out of it: not lexically (`..`,
 * absolute paths, drive letters, backslashes) and not through a symbolic link that already exists under it.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';

/** A path a manifest may not use. The message names the field and the manifest. */
export class UnsafePathError extends Error {
  readonly code = 'EUNSAFEPATH';
  /** The message without the manifest's name: `files[3].path "../x" leads out of ...`. */
  readonly detail: string;

  constructor(manifest: string, detail: string) {
    super(`manifest ${manifest}: ${detail}`);
    this.name = 'UnsafePathError';
    this.detail = detail;
  }
}

/** Where a path came from: the manifest's URL and the field (`files[3].path`). */
export interface PathOrigin {
  readonly manifest: string;
  readonly field: string;
}

function refuse(origin: PathOrigin, value: string, why: string): never {
  throw new UnsafePathError(origin.manifest, `${origin.field} ${JSON.stringify(value)} ${why}`);
}

/**
 * Checks a relative path from a manifest and returns it normalized (POSIX, no `.` or empty segments), joined to
 * `folder` (the manifest's folder under the output folder). Refused: empty, absolute (`/x`, `C:\x`, `\\host`),
 * backslashes, NUL bytes, and anything that climbs out of the output folder (`../x` at the root). `allowEmpty`
 * lets a folder name the base itself (`""` or `"."`).
 */
export function checkRelativePath(value: string, origin: PathOrigin, allowEmpty = false, folder = ''): string {
  if (value.includes('\0')) refuse(origin, value, 'contains a NUL byte');
  if (value.startsWith('/')) refuse(origin, value, "is an absolute path; paths are relative to the manifest's folder under the output folder");
  if (/^[a-zA-Z]:/.test(value)) refuse(origin, value, "starts with a drive letter; paths are relative to the manifest's folder");
  if (value.includes('\\')) refuse(origin, value, 'contains a backslash; use / to separate folders');
  if (!allowEmpty && (value === '' || posix.normalize(value) === '.' || value.endsWith('/'))) refuse(origin, value, 'names a folder, not a file');
  const joined = folder === '' ? value : `${folder}/${value}`;
  const normalized = joined === '' ? '.' : posix.normalize(joined).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    refuse(origin, value, `leads out of the output folder (..)${folder === '' ? '' : ` from the manifest's folder ${JSON.stringify(folder)}`}`);
  }
  if (normalized === '.' || normalized === '') {
    if (allowEmpty) return '';
    refuse(origin, value, 'names a folder, not a file');
  }
  return normalized;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * Makes the parent folders of `rel` under `outDir` (an absolute path with links resolved) and returns the
 * file's absolute path. Every existing component is checked: a symbolic link is followed only if it resolves
 * inside `outDir`; the file itself may not be a symbolic link at all (it is replaced by a rename, and reading it
 * for a checksum could read outside).
 */
export async function prepareTarget(outDir: string, rel: string, origin: PathOrigin): Promise<string> {
  const parts = rel.split('/');
  let current = outDir;
  for (const part of parts.slice(0, -1)) {
    current = join(current, part);
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(current).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      info = await lstat(current);
    }
    if (info.isSymbolicLink()) {
      const target = await realpath(current);
      if (!isInside(outDir, target)) {
        refuse(origin, rel, `goes through the symbolic link ${relative(outDir, current)} -> ${target}, which leads out of the output folder ${outDir}`);
      }
    } else if (!info.isDirectory()) {
      throw new UnsafePathError(origin.manifest, `${origin.field} ${JSON.stringify(rel)}: ${relative(outDir, current)} exists and is not a folder`);
    }
  }
  const parent = await realpath(join(outDir, ...parts.slice(0, -1)));
  if (!isInside(outDir, parent)) refuse(origin, rel, `resolves to ${parent}, outside the output folder ${outDir}`);
  const file = join(parent, parts[parts.length - 1]!);
  await refuseLink(file, origin, rel, outDir);
  return file;
}

/** Throws when `file` is a symbolic link (a missing file is fine). */
export async function refuseLink(file: string, origin: PathOrigin, rel: string, outDir: string): Promise<void> {
  try {
    if ((await lstat(file)).isSymbolicLink()) {
      refuse(origin, rel, `is a symbolic link in the output folder (${relative(outDir, file)}); tasklane does not write through links`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
