import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, type Verdict } from '../../harness/checker/index.ts';
import { toOperations } from '../../harness/history/parse.ts';
import type { HistoryEvent, OpFunction } from '../../harness/history/types.ts';
import { MIN_AXIS_SPAN_US } from '../../harness/report/prepare-report-data.ts';
import { writeReport } from '../../harness/report/write-report.ts';

/**
 * The report as a user sees it: a small run with a lost write is reported, opened from disk in
 * Debian's Chromium, and read back from the page. Screenshots go to test-results/report-browser/.
 */

const CHROMIUM = '/usr/bin/chromium';
const MS = 1_000_000;
const ORIGIN = 7_000 * MS; // the history's clock does not start at 0
const LOST = 'e20';
/** The whole history of the second report: an operation invoked, never completed. */
const LONE: HistoryEvent = { index: 0, type: 'invoke', process: 3, time: ORIGIN, f: 'write', key: 'reg-0', value: 'v0' };

interface Draft {
  process: number;
  f: OpFunction;
  key: string;
  input: HistoryEvent['value'];
  output: HistoryEvent['value'];
  type: 'ok' | 'fail' | 'info';
  invoke: number;
  complete: number;
  server?: string;
  error?: string;
}

/**
 * Four sessions for 3 s: two add to set-0, one writes reg-0, one reads both. During a fault
 * (1.0–1.6 s) session 1's add ends in connection loss and it continues as process 4; a write
 * fails. A fresh session's final read misses LOST, whose add was acknowledged at ~0.5 s.
 */
function lostWriteHistory(): HistoryEvent[] {
  const drafts: Draft[] = [];
  const effects: { element: string; at: number }[] = [];
  let lastWritten: string | null = null;
  let elements = 0;
  let values = 0;
  let adder1 = 1;
  for (let round = 0; round < 60; round++) {
    const base = ORIGIN + round * 50 * MS;
    for (const slot of [0, 1, 2, 3]) {
      const invoke = base + slot * 7 * MS;
      const complete = invoke + (4 + ((round * 7 + slot * 3) % 13)) * MS;
      const server = `zk-${(slot + round) % 3}`;
      if (slot === 1 && round >= 22 && round < 32) {
        if (round === 22) {
          const element = `e${elements++}`;
          drafts.push({ process: adder1, f: 'add', key: 'set-0', input: element, output: element, type: 'info', invoke, complete: invoke + 400 * MS, error: 'CONNECTION_LOSS' });
          effects.push({ element, at: invoke + 5 * MS });
          adder1 = 4;
        }
        continue;
      }
      if (slot <= 1) {
        const element = `e${elements++}`;
        drafts.push({ process: slot === 0 ? 0 : adder1, f: 'add', key: 'set-0', input: element, output: element, type: 'ok', invoke, complete, server });
        effects.push({ element, at: complete });
      } else if (slot === 2) {
        const value = `v${values++}`;
        const failed = round === 26;
        drafts.push({ process: 2, f: 'write', key: 'reg-0', input: value, output: value, type: failed ? 'fail' : 'ok', invoke, complete, server, ...(failed ? { error: 'SESSION_MOVED' } : {}) });
        if (!failed) lastWritten = value;
      } else if (round % 2 === 0) {
        drafts.push({ process: 3, f: 'read', key: 'reg-0', input: null, output: lastWritten, type: 'ok', invoke, complete, server });
      } else {
        const seen = effects.filter((e) => e.at < invoke).map((e) => e.element);
        drafts.push({ process: 3, f: 'read-set', key: 'set-0', input: null, output: seen, type: 'ok', invoke, complete, server });
      }
    }
  }
  const finalAt = ORIGIN + 3_100 * MS;
  const final = effects.map((e) => e.element).filter((e) => e !== LOST);
  drafts.push({ process: 5, f: 'read-set', key: 'set-0', input: null, output: final, type: 'ok', invoke: finalAt, complete: finalAt + 9 * MS, server: 'zk-1' });

  const timed = drafts.flatMap((d) => [
    { time: d.invoke, order: 0, event: { type: 'invoke' as const, process: d.process, f: d.f, key: d.key, value: d.input } },
    {
      time: d.complete,
      order: 1,
      event: {
        type: d.type,
        process: d.process,
        f: d.f,
        key: d.key,
        value: d.type === 'ok' ? d.output : d.f === 'read' || d.f === 'read-set' ? null : d.input,
        ...(d.server === undefined ? {} : { server: d.server }),
        ...(d.error === undefined ? {} : { error: d.error }),
      },
    },
  ]);
  timed.sort((a, b) => a.time - b.time || a.order - b.order);
  return timed.map((t, index) => ({ index, time: t.time, ...t.event }));
}

function writeRun(dir: string, events: HistoryEvent[], verdict: Verdict): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'verdict.json'), JSON.stringify(verdict, null, 2));
  writeFileSync(join(dir, 'seed'), '424242\n');
  const fault = { name: 'kill-jvm', detail: 'zk-1: JVM killed with SIGKILL', start: ORIGIN + 1_000 * MS };
  writeFileSync(
    join(dir, 'faults.jsonl'),
    [{ event: 'start', ...fault }, { event: 'end', ...fault, end: ORIGIN + 1_600 * MS }].map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  const kube = [
    { time: ORIGIN + 1_010 * MS, source: 'pod/zk-1', kind: 'ready', detail: 'Ready=False (liveness probe failed)' },
    { time: ORIGIN + 1_550 * MS, source: 'pod/zk-1', kind: 'restart', detail: 'container zookeeper restarted (count 1)' },
    { time: ORIGIN + 1_900 * MS, source: 'node/kind-worker', kind: 'drain-blocked', detail: 'eviction of zk-2 refused: PodDisruptionBudget zk-pdb' },
  ];
  writeFileSync(join(dir, 'events.jsonl'), kube.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('the HTML report in Chromium', () => {
  let work: string;
  let context: BrowserContext;
  let page: Page;
  let verdict: Verdict;
  let reportUrl: string;
  let loneUrl: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  // A failed setup fails every test with its message (vitest would only mark them skipped).
  let setupError: unknown;
  const ready = () => {
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      setupError = error;
    }
  }, 120_000);

  async function setup(): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing (${CHROMIUM}): run \`apt-get install chromium\` as root (after apt-get update)`);
    }
    work = mkdtempSync(join(tmpdir(), 'zk-report-'));
    const events = lostWriteHistory();
    verdict = check(toOperations(events));
    const runDir = join(work, 'report-lost-write-2025-01-02T03-04-05-678Z');
    writeRun(runDir, events, verdict);
    reportUrl = pathToFileURL(await writeReport(runDir)).href;

    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Every request is recorded; anything but the report itself is refused.
    await context.route('**/*', (route) => {
      requests.push(route.request().url());
      return [reportUrl, loneUrl].includes(route.request().url()) ? route.continue() : route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(reportUrl);
    // The page sets data-charts-ready on <html> once ECharts has finished its first rendering.
    await page.locator('html[data-charts-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });

    // A second run: one operation invoked and never completed, the whole history at one instant.
    const loneDir = join(work, 'report-lone-2025-01-02T03-04-05-678Z');
    mkdirSync(loneDir, { recursive: true });
    writeFileSync(join(loneDir, 'history.jsonl'), JSON.stringify(LONE) + '\n');
    writeFileSync(join(loneDir, 'verdict.json'), JSON.stringify(check(toOperations([LONE]))));
    loneUrl = pathToFileURL(await writeReport(loneDir)).href;
  }

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('was built from a history the checker finds exactly one lost write in', () => {
    ready();
    expect(verdict.validity).toBe('invalid');
    expect(verdict.anomalies.map((a) => [a.type, a.element])).toEqual([['lost', LOST]]);
  });

  it('reads INVALID at the top, with the seed and how to rerun', async () => {
    ready();
    expect((await page.locator('#verdict').innerText()).trim()).toBe('INVALID');
    expect(await page.locator('#seed').innerText()).toBe('424242');
    expect(await page.locator('.rerun').innerText()).toContain('ZK_CHAOS_SEED=424242');
    expect(await page.locator('.rerun').innerText()).toContain('npx zk-chaos check');
  });

  it('lists the anomaly with its explanation, its element and the operations that prove it', async () => {
    ready();
    const anomaly = verdict.anomalies[0]!;
    const cards = page.locator('.anomaly');
    expect(await cards.count()).toBe(1);
    expect(await cards.locator('.type').innerText()).toMatch(/lost/i);
    expect(await cards.locator('.explanation').innerText()).toBe(anomaly.explanation);
    expect(await cards.locator('.element').innerText()).toBe(LOST);
    const rows = cards.locator('tr[data-op]');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-op'))))).toEqual(anomaly.ops);
    // The final read's row says the element is absent from it.
    expect(await rows.last().locator('td.value').innerText()).toContain(`'${LOST}' absent`);
  });

  it('draws the charts on canvas', async () => {
    ready();
    const canvas = page.locator('#chart canvas').first();
    const box = await canvas.boundingBox();
    expect(box?.height).toBeGreaterThan(400);
  });

  it('zooms the timeline to an operation when its row is clicked', async () => {
    ready();
    const anomaly = verdict.anomalies[0]!;
    const fullSpan = await zoomSpan(page);
    await page.locator(`tr[data-op="${anomaly.ops[0]}"]`).click();
    await expect.poll(async () => zoomSpan(page), { timeout: 10_000 }).toBeLessThan(fullSpan / 10);
    const add = toOperations(lostWriteHistory()).find((op) => op.id === anomaly.ops[0])!;
    const [start, end] = await zoomRange(page);
    expect(start).toBeLessThanOrEqual((add.invokeTime - ORIGIN) / MS);
    expect(end).toBeGreaterThanOrEqual((add.completeTime - ORIGIN) / MS);
    expect(await page.locator('.anomaly.selected').count()).toBe(1);
    // And the operation is drawn there, in the ok colour (#3b82c4), above its highlight.
    const middleMs = ((add.invokeTime + add.completeTime) / 2 - ORIGIN) / MS;
    await expect.poll(() => pixelAt(page, add.process, middleMs), { timeout: 10_000 }).toEqual([59, 130, 196]);
    const shots = resolve('test-results/report-browser');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'lost-write-zoomed.png'), fullPage: true });
    await page.locator('#reset-zoom').click();
    await page.screenshot({ path: join(shots, 'lost-write.png'), fullPage: true });
  });

  it('draws a lone operation that never completed as a bar in its colour', async () => {
    ready();
    const lonePage = await context.newPage();
    lonePage.on('pageerror', (error) => consoleErrors.push(String(error)));
    await lonePage.goto(loneUrl);
    await lonePage.locator('html[data-charts-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
    expect((await lonePage.locator('#verdict').innerText()).trim()).toBe('UNKNOWN');
    // Half-way along the time axis (1 ms wide), at the lane's centre: the bar runs there, in the
    // colour of an operation that never completed (#f2c46d, drawn at 70 % opacity).
    const [r, g, b] = await pixelAt(lonePage, LONE.process, MIN_AXIS_SPAN_US / 2 / 1000, { translucent: true });
    await lonePage.screenshot({ path: join(resolve('test-results/report-browser'), 'lone-never-completed.png'), fullPage: true });
    await lonePage.close();
    const off = [0xf2, 0xc4, 0x6d].map((want, i) => Math.abs(([r, g, b][i] ?? NaN) - want));
    expect(off.every((d) => d <= 3), `the pixel there is [${[r, g, b].join(', ')}]`).toBe(true);
  });

  it('requests nothing but the files themselves', () => {
    ready();
    expect(requests).toEqual([reportUrl, loneUrl]);
  });

  it('logs no error', () => {
    ready();
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * The colour on screen at (time, lane of the process) on the timeline: the top-most painted pixel
 * of ECharts' canvas layers (opaque ones only, unless `translucent`: what is drawn with an opacity
 * keeps its colour, not blended, in a layer's pixels). A string, because the callback runs in the
 * page (no DOM types here).
 */
async function pixelAt(page: Page, process: number, timeMs: number, { translucent = false } = {}): Promise<number[]> {
  return page.evaluate(`(() => {
    const model = JSON.parse(document.getElementById('report-data').textContent);
    const chart = echarts.getInstanceByDom(document.getElementById('chart'));
    const lane = model.lanes.lanes[model.lanes.processes.indexOf(${process})];
    const [x, y] = chart.convertToPixel({ seriesId: 'ops-ok' }, [${timeMs}, lane]);
    let colour = [];
    for (const canvas of document.querySelectorAll('#chart canvas')) {
      const scale = canvas.width / canvas.clientWidth;
      const [r, g, b, a] = canvas.getContext('2d').getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
      if (a === 255 || (${translucent} && a > 0)) colour = [r, g, b];
    }
    return colour;
  })()`);
}

/** The visible time range in ms, which the page keeps on the chart element. */
async function zoomRange(page: Page): Promise<[number, number]> {
  const chart = page.locator('#chart');
  return [Number(await chart.getAttribute('data-zoom-start-ms')), Number(await chart.getAttribute('data-zoom-end-ms'))];
}

async function zoomSpan(page: Page): Promise<number> {
  const [start, end] = await zoomRange(page);
  return end - start;
}
