// Helpers shared by the Query/Scan/index/batch test files.
import assert from 'node:assert/strict';

// Runs every [why, () => promise, message] row (each must fail with a
// ValidationException carrying exactly `message`) and reports all mismatches
// at once, so one wrong message does not hide the others.
export async function expectAll(rows, name = 'ValidationException') {
  const failures = [];
  for (const [why, send, message] of rows) {
    let err;
    try {
      await send();
    } catch (e) {
      err = e;
    }
    if (!err) failures.push(`${why}: expected ${name} "${message}", but the call succeeded`);
    else if (err.name !== name || err.message !== message) {
      failures.push(`${why}:\n    expected ${name} "${message}"\n    actual   ${err.name} "${err.message}"`);
    }
  }
  assert.ok(failures.length === 0, `${failures.length} of ${rows.length} cases failed:\n  ${failures.join('\n  ')}`);
}
