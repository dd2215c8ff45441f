// @ts-check
// The idle clock (ui/js/idle.js activityClock, issue #16): idle time is monotonic, and a wall
// clock set forward or back, a resume from suspend or a page stopped for a while counts as
// idle for ever until the next touch. Node's fake timers drive the 1 s tick; the two clocks
// are the test's own, moved by hand.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

// activityClock listens on the document; Node has none, and an EventTarget is all it uses.
const fakeDocument = new EventTarget();
Object.defineProperty(globalThis, 'document', { value: fakeDocument, configurable: true });

const { activityClock, jumpDetector, JUMP_MS } = await import('../../ui/js/idle.js');

/** Two clocks the test moves: `mono` as performance.now, `wall` as Date.now. */
function clocks() {
  const c = { monoAt: 1_000, wallAt: Date.UTC(2026, 10, 30, 9, 0, 0) };
  return {
    c,
    clocks: { mono: () => c.monoAt, wall: () => c.wallAt },
    /** Both clocks move on by `ms`, and the 1 s timer fires as often as that takes. */
    pass(/** @type {number} */ ms) {
      for (let left = ms; left > 0; left -= 1000) {
        const step = Math.min(1000, left);
        c.monoAt += step;
        c.wallAt += step;
        mock.timers.tick(step);
      }
    },
  };
}

/** @param {ReturnType<typeof clocks>['clocks']} page */
function start(page) {
  /** @type {{ wallMs: number, monoMs: number }[]} */
  const jumps = [];
  let ticks = 0;
  const clock = activityClock({
    onActivity: () => clock.touch(),
    onTick: () => {
      ticks += 1;
    },
    onJump: (step) => jumps.push(step),
    clocks: page,
  });
  return { clock, jumps, ticks: () => ticks };
}

test('idle time is the monotonic time since the last touch', (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  const { clocks: page, pass } = clocks();
  const { clock, jumps, ticks } = start(page);
  pass(10_000);
  assert.equal(clock.idleMs(), 10_000);
  assert.equal(ticks(), 10);
  fakeDocument.dispatchEvent(new Event('pointerdown'));
  assert.equal(clock.idleMs(), 0, 'a touch anywhere counts as use');
  pass(3_000);
  assert.equal(clock.idleMs(), 3_000);
  assert.deepEqual(jumps, []);
  clock.stop();
});

test('a wall clock set back an hour is a jump: idle until the next touch', (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  const { c, clocks: page, pass } = clocks();
  const { clock, jumps } = start(page);
  pass(2_000);
  c.wallAt -= 3_600_000;
  pass(1_000);
  assert.equal(jumps.length, 1);
  assert.equal(jumps[0].wallMs, 1_000 - 3_600_000);
  assert.equal(clock.idleMs(), Infinity, 'nobody can say how long it was left alone');
  clock.touch();
  assert.equal(clock.idleMs(), 0);
  pass(5_000);
  assert.equal(jumps.length, 1, 'one jump, noticed once');
  clock.stop();
});

test('a resume from suspend (wall time moved on, monotonic not) is a jump', (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  const { c, clocks: page, pass } = clocks();
  const { clock, jumps } = start(page);
  pass(1_000);
  // Asleep for two hours: CLOCK_MONOTONIC (performance.now) stands still, the wall clock runs.
  c.wallAt += 2 * 3_600_000;
  pass(1_000);
  assert.deepEqual(jumps, [{ wallMs: 2 * 3_600_000 + 1_000, monoMs: 1_000 }]);
  assert.equal(clock.idleMs(), Infinity);
  assert.ok(clock.last() < c.wallAt - 3_600_000, 'last use is long ago for the staff lock too');
  clock.stop();
});

test('a tick far later than asked (the page was stopped) is a jump; small drift is not', (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  const { c, clocks: page, pass } = clocks();
  const { clock, jumps } = start(page);
  // NTP slewing the wall clock by a few hundred ms is not a jump.
  c.wallAt += 400;
  pass(1_000);
  c.wallAt -= JUMP_MS - 100;
  pass(1_000);
  assert.equal(jumps.length, 0);
  // The process was stopped for 30 s: both clocks ran, the tick came late.
  c.monoAt += 30_000;
  c.wallAt += 30_000;
  pass(1_000);
  assert.equal(jumps.length, 1);
  assert.equal(jumps[0].monoMs, 31_000);
  assert.equal(clock.idleMs(), Infinity);
  clock.stop();
});

test('the detector compares each call with the one before', () => {
  const c = { mono: 0, wall: 0 };
  const jumped = jumpDetector({ mono: () => c.mono, wall: () => c.wall });
  c.mono += 1_000;
  c.wall += 1_000;
  assert.equal(jumped(), null);
  c.wall += JUMP_MS + 1;
  assert.ok(jumped());
  c.mono += 1_000;
  c.wall += 1_000;
  assert.equal(jumped(), null, 'after a jump, the next step is measured from the jump');
});

test('the idle reset reloads a page that is zoomed or older than half an hour, and only then', async () => {
  const { reloadAtReset, RELOAD_AFTER_MS } = await import('../../ui/js/idle.js');
  assert.equal(RELOAD_AFTER_MS, 30 * 60 * 1000);
  assert.equal(reloadAtReset(5 * 60 * 1000, 1), false, 'a young page at scale 1 keeps running');
  assert.equal(reloadAtReset(RELOAD_AFTER_MS - 1, 1), false);
  assert.equal(reloadAtReset(RELOAD_AFTER_MS, 1), true, 'an old page is reloaded: its memory goes back');
  assert.equal(reloadAtReset(1000, 1.5), true, 'a zoomed page is reloaded: the scale goes back to 1');
  assert.equal(reloadAtReset(3 * 60 * 1000, 1, 2 * 60 * 1000), true, "the config's reload_after_minutes wins");
  assert.equal(reloadAtReset(60 * 1000, 1, 2 * 60 * 1000), false);
  assert.equal(reloadAtReset(1000, 0.8), true);
});
