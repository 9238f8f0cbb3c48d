// A CPU profile of kzero's components as the benches run them, for finding where their time goes:
//   KZERO_PROFILE_DIR=/tmp/prof NODE_OPTIONS="--import ./dist/bench/cpu-profile.js" node dist/bench/control-plane.js shards one
// Loaded into every node process the command starts (NODE_OPTIONS is inherited; `--cpu-prof` is not allowed
// there), it profiles those whose entry point is a component's main.js matching KZERO_PROFILE_MATCH
// (default: controller or webhook) and writes <component>-<pid>.cpuprofile when the process exits, for
// Chrome DevTools or any .cpuprofile reader. Components already running are not affected: restart one under
// the same environment (kill its pid, then `kzero up`) to profile it.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = process.env.KZERO_PROFILE_DIR;
const entry = process.argv[1] ?? '';
const match = new RegExp(`(${process.env.KZERO_PROFILE_MATCH ?? 'controller|webhook'})/main\\.js$`).exec(entry);

if (dir && match) {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // Components leave through process.exit (on SIGTERM): write the profile on the way out.
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(`${dir}/${match[1]!.replace(/\W/g, '-')}-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
      exit(code);
    });
  }) as typeof process.exit;
}
