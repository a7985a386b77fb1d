import { describe, expect, it } from 'vitest';
import { HttpCallError } from '../../../src/http/errors.js';
import { deadlineInterceptor } from '../../../src/http/interceptors/deadline.js';
import { retryInterceptor } from '../../../src/http/interceptors/retry.js';
import { closedPort } from '../../helpers/servers.js';
import { harness, partner, reply } from './harness.js';

describe('retryInterceptor', () => {
  it('tries again on 503 up to retry.attempts and records every attempt with its wait', async () => {
    const p = await partner((_req, n, res) => reply(res, n < 3 ? 503 : 200, `answer ${n}`));
    const h = harness(p.url, [retryInterceptor(), deadlineInterceptor()], { retry: { attempts: 3 } });
    expect((await h.send('/x')).body).toBe('answer 3');
    expect(h.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(h.attempts[0]!.waitMs).toBeGreaterThanOrEqual(0);
    expect(h.attempts[2]!.waitMs).toBeUndefined();
  });

  it('gives the last answer when the attempts are used up, and never retries a POST unless retry.methods says so', async () => {
    const p = await partner((_req, _n, res) => reply(res, 503));
    const h = harness(p.url, [retryInterceptor(), deadlineInterceptor()], { retry: { attempts: 2 } });
    expect((await h.send('/get')).status).toBe(503);
    expect((await h.send('/post', { method: 'POST' })).status).toBe(503);
    expect(p.arrivals.map((a) => `${a.method} ${a.path}`)).toEqual(['GET /get', 'GET /get', 'POST /post']);
    const allowed = harness(p.url, [retryInterceptor(), deadlineInterceptor()], { retry: { attempts: 2, methods: ['POST'] } });
    await allowed.send('/post2', { method: 'POST' });
    expect(p.arrivals.filter((a) => a.path === '/post2')).toHaveLength(2);
  });

  it('a failure it does not retry leaves as it came, recorded with its code', async () => {
    const port = await closedPort();
    const h = harness(`http://127.0.0.1:${port}/`, [retryInterceptor(), deadlineInterceptor()], { retry: { attempts: 3 } });
    const error = await h.send('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error).toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(h.attempts).toEqual([expect.objectContaining({ errorCode: 'CONNECTION_REFUSED', waitMs: undefined })]);
  });

  it('a read timeout that the budget cut short is the budget\'s DEADLINE, not the service\'s READ_TIMEOUT', async () => {
    const p = await partner(() => new Promise(() => {}));
    const h = harness(p.url, [retryInterceptor(), deadlineInterceptor()]);
    await expect(h.send('/slow', { readTimeout: 5_000 }, 200)).rejects.toMatchObject({ kind: 'timeout', code: 'DEADLINE' });
    await expect(h.send('/slow', { readTimeout: 200 }, 10_000)).rejects.toMatchObject({ code: 'READ_TIMEOUT' });
  });
});
