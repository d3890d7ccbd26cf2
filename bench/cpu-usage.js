'use strict';
/*
 * Preloaded (`node -r`) into every process bench/whole-process.ts times: as the process exits,
 * writes the CPU time it used (user + system, all its threads, from its start) to stderr. CPU
 * time is less sensitive than wall-clock time to other work on a shared machine.
 */
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nbench-cpu-ms ${(user + system) / 1000}\n`);
});
