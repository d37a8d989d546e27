// The notes under the tables of RESULTS.md that the suite does not produce: what one-off probes (timestamps in the
// code, perf, per-thread CPU) showed, with their dates. report.js places each under its benchmark.

/** Not produced by the suite: probes of 2026-11-30, kept here because they explain the mix tables. */
export const MIX_NOTE = `
Where tasklane's share goes (probes of 2026-11-30: per-thread CPU as in the tables, \`perf record\` of every thread,
V8's \`--trace-opt\`; tasklane against the raw threads in one process, alternating).

- **Batches.** With 1 ms between a worker's tasks, every batch of answers wakes the sleeping main thread: the post
  spends ~40 µs in the kernel under this VM's hypervisor (\`eventfd_write\`; the figure above each table), the woken
  thread pays again to be scheduled in, and it preempts a hashing worker. With a 10 ms prefetch the main thread woke
  ~2,900 times per 10,000 tasks; a 50 ms prefetch and a worker that sends its answers only once the tasks it has left
  fit in 5 ms (worker/refill-policy.ts) brought that to 550 to 700, and the mix from 8.0 to 5.4% over the ideal at 2
  workers, 8.7 to 5.9% at 4 (medians of 5 alternated rounds). Twice as large again (100 ms, \`maxPrefetch\` 64) cut
  the main thread's CPU from 13-22 to 9-16 µs per task but not the wall time: tasklane / raw 1.041 against 1.042
  (5 alternated rounds, 4 workers); not kept.
- **The JIT.** Each worker thread is an isolate that compiles tasklane's worker code for itself, once that code has
  run some thousands of times. After 1,000 tasks of warm-up (250 a worker), at 4 workers, V8 first optimized the
  worker loop during the next 10,000 (40 to 60 ms of compilation for each of its two main functions, in each
  isolate) and msgpackr's encoder only after ~5,000 tasks a worker: ~1.1 s of compilation in that round, 0.2 s in
  the next. The helper threads spent 46 to 58 µs per task, then 25 to 36, then 9 to 17, and the three rounds ran
  12 to 18%, 10 to 18% and 7 to 13% over the ideal (4 probes); raw threads 3 to 6% throughout. Compiling needs
  calls, not work, so the suite now warms every pool with 20,000 tasks of one SHA-256 round (about a second) before
  its 1,000 real ones: helper CPU in the first measured round 20 to 27 µs per task. A program that runs a pool once
  pays this compilation once (about a second of CPU at 4 workers, less at 2); peers pay theirs too.
- **Steady state.** Warmed so, in one process, 5 alternated rounds at 4 workers: tasklane's wall time 1.024 to 1.073
  times the raw threads' (median 1.042), 6.7 to 10.4% over the ideal (median 7.4), raw threads 2.8 to 4.0%. By
  \`perf\` (whose own sampling adds to every thread), per task beyond the raw threads: the main thread +25 µs (a
  third of it in the kernel, at each of ~630 wake-ups per 10,000 tasks; 13 to 17 by the tables' per-thread CPU),
  the worker threads +35 µs outside the hashing (the kernel switching threads +6; the loop, msgpackr and async
  frames the rest), V8's helpers +7. No single part is large enough to remove the rest.
- **The ideal's median.** Each pool's ideal uses its own median task, and how the OS slices 4 threads over 2 cores
  moves it: in one probe tasklane's median task was 0.4 to 5% shorter than the raw threads' in the same process (3
  rounds; its over-ideal figure as many points higher for it). Wall time against the raw threads in the same run
  is the steadier comparison; the tables give both.
`;

/** Not produced by the suite: a one-off instrumented probe, kept here because it explains the table above. */
export const LATENCY_NOTE = `
Where the time goes (a probe with timestamps at each step, 2026-11-30, 2 workers, load 0.3, 1 ms idle before each
sample, p50 in µs since \`schedule()\`): the dispatch posts the task at 6; the worker has the buffer at 28, decoded
at 32, after the turn that lets other buffers in at 35, at the task's first line at 38; its message and \`t\` are
posted by 52; the main thread has them at 60 and the reader at 66 (a raw MessagePort round trip: 37 to 47). That is
after 5,000 warm-up trips. After 200, the same steps take 234 µs in all, 15 to 20 each: a trip calls each function
once, so V8's optimizing compiler reaches them only after thousands of trips (p50 by trip number: 363 over the
first 250, 141 at 1,000, 92 at 1,750, 57 after 3,500). Every pool is therefore warmed with 4,000 trips before
sampling; until 2026-11-25 the warm-up was 100 trips, and tasklane, whose trip runs more functions than a peer's
\`run()\`, measured 130 to 190 µs.

Between runs the p50 moves far more than between pools (2026-11-30: 62 to 111 µs with 2 workers and 62 to 121 with 4
over the day's eleven full runs, over 100 in three of them). It is the machine's wake-ups, per pair of threads: in
fresh processes, a bare MessagePort round trip (lib/raw.js, the same 1 ms gaps) had a p50 of 33 µs in four of eight
and 52 to 68 in the others, and tasklane's trip, which wakes a sleeping thread twice as well, 61 to 70 or 117 to 162
(eight processes, 1 or 2 workers alike). A worker parked in \`Atomics.wait\` and woken by \`Atomics.notify\` instead
of its port's event loop (piscina's default) gave the same two modes, 30 or 48 to 64. With the whole process pinned
to one CPU (\`taskset\`), tasklane measured 61 to 75 in four runs of four: most likely the slow mode is the
hypervisor waking the other, idle vCPU. The suite's rounds alternate pools, but each pool's threads get their own
mode: in a full run at 16:52 of the same code as the table above (2 workers), tasklane 111 and the raw round trip 36.
`;

export const PRIORITY_NOTE = `
The mechanism: a priority-0 task is sent at once, even to a worker already holding its full prefetch (to the
worker whose running task started last, which was on a core a moment ago), and a worker thread polls its port after every task
(\`receiveMessageOnPort\`, 50 ns) and runs its local queue most urgent first. So the task waits for the task
running at that worker and one trip: neither for the batch prefetched there nor for the 100,000. Until 2026-11-30
it waited in the manager for the first worker to report, then behind that worker's batch (up to 2 ms of tasks):
2,941 µs median with 100 µs tasks at 2 workers. The bound is in task time and the idle trip, measured on a quiet
pool; the wait is wall time with every worker busy, and there the main thread shares the 2 cores with them. A
probe with timestamps (2026-11-30, 2 workers, 100 µs tasks): the main thread posts the task 70 to 195 µs after
\`schedule()\` (\`schedule()\` alone takes 15 to 100 µs there, 0.6 in a loop on a quiet machine), and the
worker takes it off its port 50 to 100 µs later, after the task it was running. With no-op tasks the main thread
is the bottleneck and busy all the time; with 4 workers busy on 2 cores, the worker holding the task is off its
core for milliseconds at a time, and single runs range over 10x (the spread above).
Why \`schedule()\` is that slow there (probes of the same day): the main thread was not preempted during the call
(its involuntary context switches did not move), no garbage collection ran, and \`stamp()\`, which only builds
the call object, took 4 to 23 µs of it. The thread runs just woken, on cold caches: \`stamp()\` alone after a
1 ms sleep takes 2.6 µs (p50) with nothing else running, against 0.05 in a loop. V8 also deoptimized three
functions on the way (the first push into the empty priority-0 lane met an array of another elements kind, and
two branches never taken by priority-1 work had no type feedback); without those deoptimizations \`schedule()\`
still took 21 to 143 µs (24 to 159 with them; 24 runs each), so the code is unchanged.
`;

export const CLOSE_NOTE = `
Where a fresh process's cancel goes (a probe with timestamps, 2026-11-25, 2 workers, 1,000,000 queued 50 ms
before the close): tasklane's own part, from \`close()\` until both threads have answered every task and closed
their sessions, takes 6 to 50 ms (two round trips: the cancels, then the close); the rest is
Node terminating the two threads, 65 to 91 ms. The same close made 2 s after the queuing instead of 50 ms takes
40 to 55 ms, the termination 27 to 35: right after a million calls were queued, V8 is still marking the ~90 MB
they occupy and compiling hot code on the helper threads it shares between the main thread and the workers, and a
thread's termination waits behind that. With nothing queued, terminating the same threads takes 32 to 44 ms.
Why it waits: a worker thread that ends frees its environment, and Node's \`NodePlatform::DrainTasks\` (called
there) blocks in \`worker_thread_task_runner_->BlockingDrain()\` until the process-wide pool of V8 helper threads
has run every task queued to it, "not associated with an Isolate" (node_platform.cc): the main thread's marking
and compiling included. The row "bare threads, terminate(), fresh process, same queuing" measures the floor this
leaves: threads that never ran anything, started before the queuing and terminated when tasklane's cancel would
start, take about what the target allows (the table above), against 12 to 29 ms with nothing queued; a cancel
adds two round trips to that. (A million call objects allocated in a loop, without a manager at work on them,
slowed a bare termination only to 15 to 21 ms: the wait comes with the main thread's work, not the heap's size.)
`;
