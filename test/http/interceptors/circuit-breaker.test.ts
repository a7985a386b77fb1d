import { describe, expect, it } from 'vitest';
import { circuitBreakerInterceptor } from '../../../src/http/interceptors/circuit-breaker.js';
import { CircuitBreaker } from '../../../src/http/resilience/circuit-breaker.js';
import { closedPort } from '../../helpers/servers.js';
import { harness, partner, reply } from './harness.js';

describe('circuitBreakerInterceptor', () => {
  it('opens after failureThreshold service failures in a row; then calls fail fast without reaching the service', async () => {
    const p = await partner((_req, _n, res) => reply(res, 500));
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetAfterMs: 60_000 });
    const h = harness(p.url, [circuitBreakerInterceptor(breaker)]);
    expect((await h.send('/1')).status).toBe(500);
    expect((await h.send('/2')).status).toBe(500);
    await expect(h.send('/3')).rejects.toMatchObject({ kind: 'policy', code: 'CIRCUIT_OPEN' });
    expect(p.arrivals).toHaveLength(2);
    expect(breaker.current()).toBe('open');
  });

  it('a 4xx is not the service failing: it resets the count', async () => {
    const p = await partner((_req, n, res) => reply(res, n % 2 ? 500 : 404));
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetAfterMs: 60_000 });
    const h = harness(p.url, [circuitBreakerInterceptor(breaker)]);
    for (let i = 0; i < 4; i++) await h.send(`/${i}`);
    expect(breaker.current()).toBe('closed');
  });

  it('a connection failure counts; after resetAfterMs one probe is let through and a success closes the circuit', async () => {
    const port = await closedPort();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetAfterMs: 100 });
    const down = harness(`http://127.0.0.1:${port}/`, [circuitBreakerInterceptor(breaker)]);
    await expect(down.send('/x')).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    await expect(down.send('/x')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    const p = await partner((_req, _n, res) => reply(res, 200));
    const up = harness(p.url, [circuitBreakerInterceptor(breaker)]);
    await expect.poll(() => breaker.retryInMs(), { interval: 20 }).toBe(0);
    expect((await up.send('/probe')).status).toBe(200);
    expect(breaker.current()).toBe('closed');
  });
});
