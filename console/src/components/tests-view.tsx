// The application's offline tests (tests/*.test.yaml), run by the server with
// the code of `scriptcode test`: pass or fail per case, and a failure's diff.
import { useState } from 'preact/hooks';
import { api, ApiFailure, type TestRun } from '../api';
import { ms } from '../format';

export function TestsView() {
  const [run, setRun] = useState<TestRun>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const start = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setRun(await api<TestRun>('POST', '/api/tests/run', {}));
    } catch (e) {
      setError(e instanceof ApiFailure ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  };
  return (
    <section aria-label="Tests" class="panel tests">
      <h2>Tests <button type="button" class="small" disabled={running} onClick={start}>Run tests</button></h2>
      {running && <p aria-live="polite">Running the tests…</p>}
      {error && <p role="alert" class="error">{error}</p>}
      {!running && run && (
        <div aria-live="polite">
          {run.message && <p class="muted">{run.message}</p>}
          {run.notes.map((note, i) => <p key={i} class="note">note: {note}</p>)}
          {run.cases.length > 0 && (
            <ul class="cases">
              {run.cases.map((c, i) => (
                <li key={i} class={c.status === 'passed' ? 'ok' : 'error'}>
                  <span aria-hidden="true">{c.status === 'passed' ? '✓' : '✗'}</span> <span class="sr-only">{c.status}: </span>
                  {c.target ? `${c.target} ${c.script} › ` : ''}{c.name} <span class="muted">({c.file}{c.line ? `:${c.line}` : ''}, {ms(c.durationMs)})</span>
                  {c.failures.length > 0 && <pre class="diff">{c.failures.join('\n')}</pre>}
                </li>
              ))}
            </ul>
          )}
          {run.total > 0 && <p><strong>{run.passed} passed, {run.failed} failed</strong> <span class="muted">in {ms(run.durationMs)}</span></p>}
        </div>
      )}
    </section>
  );
}
