// The configured services (GET /api/services — never a secret): base URL,
// kind of authorization, circuit and token state; "Check" runs the server's
// connection check (POST /api/services/{id}/check) and shows each step.
import { useState } from 'preact/hooks';
import { api, ApiFailure, type ServiceCheck, type ServiceView } from '../api';
import { ms } from '../format';

interface Props {
  services?: ServiceView[];
  error?: string;
  onRefresh(): void;
}

function tokenState(service: ServiceView): string {
  const token = service.token;
  if (!token) return '—';
  if (token.fetching) return 'fetching a token';
  if (token.cached) return `token cached${token.expiresInMs != null ? `, expires in ${Math.round(token.expiresInMs / 1000)} s` : ''}`;
  return `no token cached${token.lastError ? ` (last error ${token.lastError})` : ''}`;
}

export function ServicesView({ services, error, onRefresh }: Props) {
  const [checks, setChecks] = useState<Record<string, ServiceCheck | string | 'running'>>({});
  const check = async (id: string) => {
    setChecks((c) => ({ ...c, [id]: 'running' }));
    try {
      const result = await api<ServiceCheck>('POST', `/api/services/${encodeURIComponent(id)}/check`);
      setChecks((c) => ({ ...c, [id]: result }));
    } catch (e) {
      setChecks((c) => ({ ...c, [id]: e instanceof ApiFailure ? e.message : String(e) }));
    }
    onRefresh();
  };
  return (
    <section aria-label="Services" class="panel services">
      <h2>Services <button type="button" class="small" onClick={onRefresh}>Refresh</button></h2>
      {error && <p role="alert" class="error">{error}</p>}
      {services && services.length === 0 && <p class="muted">No services are declared in scriptcode.yaml.</p>}
      {services && services.length > 0 && (
        <table class="services-table">
          <thead><tr><th scope="col">service</th><th scope="col">base URL</th><th scope="col">auth</th><th scope="col">circuit</th><th scope="col">token</th><th scope="col"><span class="sr-only">check</span></th></tr></thead>
          <tbody>
            {services.map((s) => {
              const result = checks[s.id];
              return [
                <tr key={s.id}>
                  <th scope="row">{s.id}</th>
                  <td class="url">{s.url}</td>
                  <td>{s.auth}</td>
                  <td>{s.circuit ? s.circuit.state : '—'}</td>
                  <td>{tokenState(s)}</td>
                  <td><button type="button" class="small" aria-label={`Check ${s.id}`} disabled={result === 'running'} onClick={() => check(s.id)}>Check</button></td>
                </tr>,
                result && result !== 'running' && (
                  <tr key={`${s.id}-check`} class="check-row">
                    <td colSpan={6}>
                      {typeof result === 'string' ? <p class="error">{result}</p> : (
                        <div aria-label={`Check of ${s.id}`} role="group">
                          <p><strong class={result.ok ? 'ok' : 'error'}>{result.ok ? 'OK' : 'FAILED'}</strong> in {ms(result.durationMs)}</p>
                          <ul class="steps">
                            {result.steps.map((step) => (
                              <li key={step.step}><code>{step.step}</code> <span class={step.status === 'failed' ? 'error' : step.status === 'ok' ? 'ok' : 'muted'}>{step.status}</span> {ms(step.durationMs)} {step.error ? `${step.error.code}: ${step.error.message}` : step.detail ?? ''}</li>
                            ))}
                          </ul>
                        </div>
                      )}
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
