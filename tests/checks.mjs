// The pass/fail counting of the project's Node test scripts: one line per check, then the
// `N passed, M failed` line scripts/test.sh adds up, and the exit status.
let passed = 0;
let failed = 0;

export function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

export const counted = () => passed + failed;

/** Prints the summary line and exits: 0 when every check passed. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
