// Each REST call of the run — service, method, URL template, status, time,
// attempts, cached — on a waterfall of their timing (calls that overlapped,
// from an async script's Promise.all, are drawn side by side), each expandable
// to the request and response as the logging policy showed them; then the
// script's log lines.
import type { LogLine, TracedCall } from '../api';
import { ms, pretty } from '../format';

interface Props {
  calls?: TracedCall[];
  logs?: LogLine[];
  totalMs?: number;
}

function Headers({ title, headers }: { title: string; headers?: Record<string, string> }) {
  if (!headers || Object.keys(headers).length === 0) return null;
  return (
    <>
      <h4>{title}</h4>
      <table class="kv"><tbody>{Object.entries(headers).map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>)}</tbody></table>
    </>
  );
}

function statusText(call: TracedCall): string {
  if (call.call) return call.outcome ?? '';
  if (call.error) return call.status !== undefined ? `${call.status} ${call.error.code ?? call.error.name}` : (call.error.code ?? call.error.name);
  return call.status !== undefined ? String(call.status) : '';
}

/** The URL template without scheme and host (the full one is its tooltip and in the details). */
function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)?$/i.exec(url);
  return m ? (m[1] ?? '/') : url;
}

export function TraceView({ calls, logs, totalMs }: Props) {
  const list = calls ?? [];
  let cursor = 0;
  const timed = list.map((call) => {
    const start = call.startMs ?? cursor;
    cursor = start + (call.durationMs ?? 0);
    return { call, start, end: start + (call.durationMs ?? 0) };
  });
  const span = Math.max(totalMs ?? 0, ...timed.map((t) => t.end), 1);
  return (
    <section aria-label="Trace" class="panel trace">
      <h2>Trace</h2>
      {calls === undefined ? <p class="muted">The REST calls of the last run appear here.</p> : list.length === 0 ? <p class="muted">No REST calls.</p> : (
        <ul class="calls" aria-label="REST calls">
          <li class="call-head" aria-hidden="true">
            <span>service</span><span>method</span><span>URL</span><span>status</span><span>time</span><span>tries</span><span>cache</span><span>0–{ms(span)}</span>
          </li>
          {timed.map(({ call, start }, i) => (
            <li key={i}><details class="call">
              <summary>
                <span class="service">{call.call ? call.call : call.serviceId}</span>
                <span>{call.method ?? ''}</span>
                <span class="url" title={call.url}>{call.call ? call.target : pathOf(call.url)}</span>
                <span class={call.error || (call.status ?? 200) >= 400 ? 'error' : 'ok'}>{statusText(call)}</span>
                <span>{ms(call.durationMs)}</span>
                <span>{call.call ? '' : call.attempts}</span>
                <span>{call.call ? '' : call.cached ? 'hit' : '–'}</span>
                <span class="lane" aria-label={`started at ${ms(start)}, took ${ms(call.durationMs)}`}>
                  <span class="bar" style={{ left: `${(start / span) * 100}%`, width: `${Math.max((call.durationMs / span) * 100, 0.8)}%` }} />
                </span>
              </summary>
              <div class="call-detail">
                <p><code>{call.method} {call.url}</code>{call.cached ? ' (answered from the response cache)' : ''}</p>
                {call.script && <p class="muted">from {call.script}</p>}
                {call.error && <p class="error">{call.error.name}{call.error.code ? ` (${call.error.code})` : ''}: {call.error.message}</p>}
                {call.pathParams && Object.keys(call.pathParams).length > 0 && <><h4>Path parameters</h4><pre>{pretty(call.pathParams)}</pre></>}
                {call.query && Object.keys(call.query).length > 0 && <><h4>Query</h4><pre>{pretty(call.query)}</pre></>}
                <Headers title="Request headers" headers={call.requestHeaders} />
                {call.requestBody !== undefined && <><h4>Request body</h4><pre>{call.requestBody}</pre></>}
                {call.status !== undefined && <h4>Response: {call.status} {call.statusText ?? ''}</h4>}
                <Headers title="Response headers" headers={call.responseHeaders} />
                {call.responseBody !== undefined && <><h4>Response body</h4><pre>{call.responseBody}</pre></>}
                <p class="muted">Values appear as the logging policy (logging.sensitive) shows them; credentials never.</p>
              </div>
            </details></li>
          ))}
        </ul>
      )}
      <h3>Log</h3>
      {!logs || logs.length === 0 ? <p class="muted">No log lines.</p> : (
        <ol class="logs" aria-label="Log lines">
          {logs.map((line, i) => (
            <li key={i} class={`level-${line.level}`}><span class="muted">{line.time?.slice(11, 23)}</span> <strong>{line.level}</strong> {line.script ? <span class="muted">[{line.script}] </span> : null}{line.message}</li>
          ))}
        </ol>
      )}
    </section>
  );
}
