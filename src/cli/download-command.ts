import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { downloadCommand, type DownloadOptions } from '../download/run-download.js';
import { UsageError } from './exit-codes.js';
import { integerIn } from './options.js';
import { recordEarlyUsageError } from './session.js';

/**
 * Adds `tasklane download <manifest>` to the program. The action reports its exit code through `setExitCode`,
 * as buildProgram's other commands do (main sets `process.exitCode` from it after parsing).
 */
export function registerDownloadCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('download')
    .description('download the files a JSON manifest lists, in parallel: resumable (.part files), verified (size, sha256), retried')
    .argument('<manifest>', 'a path, a file:// URL or an http(s):// URL of the manifest (see docs/download.md)')
    .requiredOption('-o, --out <dir>', 'the folder to download into (created if missing); paths in manifests are relative to it')
    .addOption(
      new Option('-w, --workers <n>', 'parallel downloads (worker threads)').argParser(integerIn(1, 1024)).default(availableParallelism() * 2, 'twice the CPU count'),
    )
    .addOption(new Option('--retries <n>', 'retries per file after network errors, timeouts, 5xx, 408 and 429 answers').argParser(integerIn(0, 100)).default(5))
    .addOption(new Option('--timeout <ms>', 'per request: connect, response headers, and silence mid-body').argParser(integerIn(1, 2 ** 31 - 1)).default(30_000))
    .option('--force', 'download files again even when present with the right size and checksum (and discard .part files)')
    .option('--fail-fast', 'stop at the first file that fails (default: the other files still complete; exit 1 at the end)')
    .option('--log-dir <dir>', 'write worker logs, tasks.jsonl, not-run.jsonl and summary.json to <dir>')
    .option('--json', 'one JSON object per finished file on stdout, then a summary object')
    .option('--dry-run', 'fetch the manifests and list what would be downloaded, with sizes; download nothing')
    .option('-q, --quiet', 'no progress and no summary on stderr (errors are still printed)')
    .option('--no-color', 'no ANSI colors on stderr (NO_COLOR and FORCE_COLOR are respected too)')
    .addOption(
      new Option('--cancel-grace <ms>', 'after a first Ctrl-C, how long downloads may take to stop').argParser(integerIn(0, 24 * 3600 * 1000)).default(5000),
    )
    .addHelpText(
      'after',
      `
Examples:
  tasklane download https://example.org/dataset/index.json -o data
  tasklane download manifest.json -o data --dry-run
  tasklane download manifest.json -o data -w 8 --json > files.jsonl

Interrupted runs leave <path>.part files; running the same command again continues them (HTTP Range).
Exit codes: 0 every file present and verified, 1 a file or manifest failed, 2 usage error, 130 SIGINT, 143 SIGTERM.`,
    )
    .action(async (manifest: string, options: DownloadOptions) => {
      try {
        setExitCode(await downloadCommand(manifest, options));
      } catch (error) {
        // A usage error found before the session started still lands in --log-dir's summary.json.
        if (error instanceof UsageError) recordEarlyUsageError({ ...(options.logDir === undefined ? {} : { logDir: options.logDir }) }, 'download', error);
        throw error;
      }
    });
}
