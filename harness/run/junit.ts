/**
 * JUnit XML pieces shared by the test reporter (test/support/junit-reporter.ts) and `npm run e2e`
 * (which records a step that failed or was interrupted before any suite ran, so that a CI job
 * never publishes an earlier run's results as this one's).
 */

export interface JUnitCase {
  suite: string;
  name: string;
  seconds: number;
  /** failure: an assertion failed; error: the test could not finish (e.g. interrupted); skipped. */
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; detail?: string };
}

/** The whole file: one <testsuite> per suite name, in first-seen order. */
export function junitXml(cases: readonly JUnitCase[]): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of cases) {
    const list = suites.get(c.suite);
    if (list) list.push(c);
    else suites.set(c.suite, [c]);
  }
  const count = (list: readonly JUnitCase[], kind: string) => list.filter((c) => c.outcome?.kind === kind).length;
  const body = [...suites].map(([suite, list]) => {
    const lines = list.map((c) => {
      const head = `<testcase classname="${xml(c.suite)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}"`;
      if (!c.outcome) return `${head}/>`;
      const { kind, message, type, detail } = c.outcome;
      const attrs = `${type ? ` type="${xml(type)}"` : ''} message="${xml(message)}"`;
      return detail ? `${head}><${kind}${attrs}>${xml(detail)}</${kind}></testcase>` : `${head}><${kind}${attrs}/></testcase>`;
    });
    return (
      `  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${count(list, 'failure')}" errors="${count(list, 'error')}" skipped="${count(list, 'skipped')}">\n` +
      lines.map((l) => `    ${l}`).join('\n') +
      '\n  </testsuite>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" ?>\n' +
    `<testsuites name="zk-chaos" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}">\n` +
    body.join('\n') +
    '\n</testsuites>\n'
  );
}

function xml(text: string): string {
  return text
    .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
