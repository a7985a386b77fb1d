// The places in an isolate's queue: turns of running invocations go before
// the making of contexts, which holds at most its share of the places.
import { describe, expect, it } from 'vitest';
import { TurnPipeline, type PipelineWork } from '../../src/sandbox/turn-pipeline.js';

/** enters `work`, recording in `order` when it gets its place */
function enter(pipeline: TurnPipeline, work: PipelineWork, name: string, order: string[]): Promise<void> {
  return pipeline.enter(work).then(() => {
    order.push(name);
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnPipeline', () => {
  it('hands out places up to its depth, then one per place given back', async () => {
    const pipeline = new TurnPipeline(2, 2);
    const order: string[] = [];
    void enter(pipeline, 'turn', 't1', order);
    void enter(pipeline, 'turn', 't2', order);
    void enter(pipeline, 'turn', 't3', order);
    await tick();
    expect(order).toEqual(['t1', 't2']);
    pipeline.leave('turn');
    await tick();
    expect(order).toEqual(['t1', 't2', 't3']);
  });

  it('making contexts holds at most its share of the places, whatever waits', async () => {
    const pipeline = new TurnPipeline(8, 2);
    const order: string[] = [];
    for (let i = 1; i <= 4; i++) void enter(pipeline, 'setup', `s${i}`, order);
    void enter(pipeline, 'turn', 't1', order);
    await tick();
    // two setups at once; a turn still gets a place beside them
    expect(order).toEqual(['s1', 's2', 't1']);
    pipeline.leave('setup');
    await tick();
    expect(order).toEqual(['s1', 's2', 't1', 's3']);
  });

  it('a place given back goes to a waiting turn before a waiting setup, turns in the order they came', async () => {
    const pipeline = new TurnPipeline(2, 2);
    const order: string[] = [];
    void enter(pipeline, 'setup', 's1', order);
    void enter(pipeline, 'setup', 's2', order);
    await tick();
    void enter(pipeline, 'setup', 's3', order);
    void enter(pipeline, 'turn', 't1', order);
    void enter(pipeline, 'turn', 't2', order);
    await tick();
    expect(order).toEqual(['s1', 's2']);
    pipeline.leave('setup');
    await tick();
    pipeline.leave('setup');
    await tick();
    expect(order).toEqual(['s1', 's2', 't1', 't2']);
    pipeline.leave('turn');
    await tick();
    expect(order).toEqual(['s1', 's2', 't1', 't2', 's3']);
  });
});
