// The answer of a run: rows and form changes, validation errors, the task's
// outcome, the formatted text — or the script's error with a link to its line.
import type { ApiError, Kind } from '../api';
import { ms, pretty } from '../format';

export interface RunResult {
  kind: Kind;
  /** the HTTP status; 0 when the request was not sent (bad input) */
  status: number;
  body: Record<string, any>;
  /** the file the run used, for the error's link */
  path: string;
}

interface Props {
  result?: RunResult;
  running: boolean;
  /** unsaved edits: the run used the file as saved */
  stale: boolean;
  onGoTo(line: number, column?: number): void;
}

function Rows({ rows }: { rows: Record<string, unknown>[] }) {
  if (rows.length === 0) return <p>No rows.</p>;
  const columns = [...new Set(rows.flatMap((row) => (row && typeof row === 'object' ? Object.keys(row) : ['(value)'])))];
  return (
    <table class="rows">
      <caption>{rows.length} row{rows.length === 1 ? '' : 's'}</caption>
      <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>{columns.map((c) => {
            const value = row && typeof row === 'object' ? (row as Record<string, unknown>)[c] : row;
            return <td key={c}>{typeof value === 'string' ? value : pretty(value)}</td>;
          })}</tr>
        ))}
      </tbody>
    </table>
  );
}

function ScriptError({ error, path, onGoTo }: { error: ApiError; path: string; onGoTo: Props['onGoTo'] }) {
  const where = error.line !== undefined ? `${path}:${error.line}${error.column !== undefined ? `:${error.column}` : ''}` : undefined;
  return (
    <div class="script-error" role="alert">
      <p><strong>{error.name}</strong>{error.code ? ` (${error.code})` : ''}: {error.message}</p>
      {where && (
        <p>at <a href="#" onClick={(e) => { e.preventDefault(); onGoTo(error.line!, error.column); }}>{`line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}`}</a> <span class="muted">({where})</span></p>
      )}
      {(error.status as { code?: number } | undefined)?.code !== undefined && <p class="muted">HTTP status from {String(error.serviceId ?? 'the service')}: {(error.status as { code: number }).code}</p>}
    </div>
  );
}

function Answer({ result, onGoTo }: { result: RunResult; onGoTo: Props['onGoTo'] }) {
  const { body, kind } = result;
  if (result.status === 0) return <p role="alert" class="error">{body.error?.message}</p>;
  if (result.status === 422 && body.error) return <ScriptError error={body.error} path={result.path} onGoTo={onGoTo} />;
  if (result.status >= 400) return <p role="alert" class="error">HTTP {result.status}: {body.error?.message ?? 'failed'}{body.error?.code ? ` (${body.error.code})` : ''}</p>;
  switch (kind) {
    case 'scriptService':
      return (
        <>
          <Rows rows={Array.isArray(body.output) ? body.output : []} />
          {body.formChanges && Object.keys(body.formChanges).length > 0 && (
            <><h3>Form changes</h3><pre>{pretty(body.formChanges)}</pre></>
          )}
        </>
      );
    case 'validationScript':
      return (
        <>
          <p class={body.valid ? 'ok' : 'error'}><strong>{body.valid ? 'Valid' : 'Not valid'}</strong></p>
          {Array.isArray(body.errors) && body.errors.length > 0 && (
            <>
              <h3>Validation errors</h3>
              <ul>{body.errors.map((e: { key: string; message: string; parameters: string[] }, i: number) => (
                <li key={i}><code>{e.key}</code>: {e.message}{e.parameters?.length ? <span class="muted"> [{e.parameters.join(', ')}]</span> : null}</li>
              ))}</ul>
            </>
          )}
        </>
      );
    case 'scriptTask':
      return (
        <>
          <p>Outcome: <strong class={body.outcome === 'complete' ? 'ok' : 'error'}>{body.outcome}</strong>{body.errorCode ? <> — error code <code>{body.errorCode}</code></> : null}</p>
          {body.variables !== undefined && <><h3>Variables</h3><pre>{pretty(body.variables)}</pre></>}
          {body.modelChanges !== undefined && <><h3>Model changes</h3><pre>{pretty(body.modelChanges)}</pre></>}
          {body.cause !== undefined && <><h3>Cause</h3><pre>{typeof body.cause === 'string' ? body.cause : pretty(body.cause)}</pre></>}
          {body.error && <ScriptError error={body.error} path={result.path} onGoTo={onGoTo} />}
        </>
      );
    case 'formatter':
      return (
        <>
          <h3>Formatted text</h3>
          <pre class="formatted">{body.formattedText}</pre>
          <p class="muted">cursor: {body.cursorPosition ?? '(dropped)'}</p>
        </>
      );
  }
}

export function OutputView({ result, running, stale, onGoTo }: Props) {
  return (
    <section aria-label="Output" class="panel output">
      <h2>Output</h2>
      {running && <p aria-live="polite">Running…</p>}
      {!running && !result && <p class="muted">Run the script to see its answer here.</p>}
      {!running && result && (
        <div aria-live="polite">
          {stale && <p class="note">You have unsaved changes: this run used the file as saved.</p>}
          <Answer result={result} onGoTo={onGoTo} />
          {result.body.durationMs !== undefined && <p class="muted">{ms(result.body.durationMs)} · invocation {result.body.invocationId}</p>}
        </div>
      )}
    </section>
  );
}
