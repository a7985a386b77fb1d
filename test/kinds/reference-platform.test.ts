// Scripts written for the reference platform run unchanged (SPEC §3.1, issue 12
// items 1, 2, 3, 7): Java collection semantics of what scripts receive,
// getFirstParameter's default for empty parameters, isVisible as text, and
// getModel's error naming both replacements. The scripts are in the
// platform's ES5 style on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    // the documented repeatable-section example
    'scripts/repeatable.js': `function callService(context) {
      var rows = context.getParameters('inputFromRepeatableSection').toArray();
      var result = [];
      for (var i = 0; i < rows.length; i++) {
        var row = JSON.parse(rows[i]);
        result.push({ index: i, name: row.name, amount: row.amount * 2 });
      }
      return result;
    }`,
    'scripts/lists.js': `function callService(context) {
      var list = context.getParameters('names');
      var it = list.iterator();
      var seen = '';
      while (it.hasNext()) {
        seen = seen + it.next() + ';';
      }
      var error = null;
      try { it.next(); } catch (e) { error = e.name + ': ' + e.message + ' / ' + (e instanceof Error); }
      var copy = list.toArray();
      copy.push('extra');
      var indices = [];
      for (var k in list) indices.push(k);
      var forOf = [];
      for (var x of list) forOf.push(x);
      var none = context.getParameters('none');
      return [{
        seen: seen, error: error, emptyHasNext: none.iterator().hasNext(),
        size: list.size(), isEmpty: list.isEmpty(), noneIsEmpty: none.isEmpty(),
        contains: list.contains('b'), containsNot: list.contains('z'), containsNumber: list.contains(1),
        indexOf: list.indexOf('b'), indexOfMissing: list.indexOf('z'), indexOfFrom: list.indexOf('a', 1),
        get: list.get(0), getPast: list.get(9),
        text: '' + list, string: String(list), toStringCall: list.toString(), noneText: '' + none,
        concatenated: 'names: ' + list + '!', joined: list.join('|'),
        copy: copy, copyIsArray: Array.isArray(copy), copyHasNoSize: typeof copy.size, listAfterCopy: list.length,
        length: list.length, second: list[1], isArray: Array.isArray(list), json: JSON.stringify(list),
        mapped: list.map(function (s) { return s.toUpperCase(); }), filtered: list.filter(function (s) { return s !== 'b'; }),
        spread: [].concat(list), sliceText: String(list.slice(0, 1)), forIn: indices, forOf: forOf, keys: Object.keys(list),
      }];
    }`,
    'scripts/nested.js': `function callService(context) {
      var table = context.getValue('table');
      var customer = context.getValue('customer');
      var keys = customer.keySet();
      var keyIt = keys.iterator();
      var keysSeen = '';
      while (keyIt.hasNext()) keysSeen = keysSeen + keyIt.next() + ',';
      var entries = customer.entrySet();
      var entryIt = entries.iterator();
      var pairs = [];
      while (entryIt.hasNext()) {
        var entry = entryIt.next();
        pairs.push(entry.getKey() + ' -> ' + entry.getValue());
      }
      var forIn = [];
      for (var name in customer) forIn.push(name);
      var empty = context.getValue('emptyMap');
      return [{
        table: '' + table, tableSize: table.size(), firstRow: '' + table.get(0),
        indexOfRow: table.indexOf(context.getValue('row')), containsRow: table.contains(context.getValue('row')),
        containsMap: table.contains(context.getData('table', 'sample')),
        customer: '' + customer, customerString: String(customer), tags: '' + customer.get('tags'), secondTag: customer.get('tags').get(1),
        keySet: '' + keys, keysSeen: keysSeen, keysSize: keys.size(), keysContain: keys.contains('name'), keysContainNot: keys.contains('Ada'),
        keysArray: keys.toArray(), keysEmpty: keys.isEmpty(),
        values: '' + customer.values(), valuesContain: customer.values().contains('Ada'), valuesSize: customer.values().size(),
        entrySet: '' + entries, pairs: pairs, entriesSize: entries.size(),
        containsKey: customer.containsKey('tags'), containsKeyNot: customer.containsKey('get'), missing: customer.get('nope'),
        containsValue: customer.containsValue('Ada'), containsList: customer.containsValue(context.getValue('tagsCopy')), containsValueNot: customer.containsValue('W'),
        size: customer.size(), isEmpty: customer.isEmpty(), emptyIsEmpty: empty.isEmpty(), emptyText: '' + empty, emptyKeys: '' + empty.keySet(),
        forIn: forIn, objectKeys: Object.keys(customer), json: JSON.stringify(customer), dotted: customer.address.city,
        sameAsPlain: JSON.stringify(customer) === JSON.stringify(JSON.parse(JSON.stringify(customer))),
      }];
    }`,
    'scripts/selfRef.js': `function callService(context) {
      var list = context.getParameters('a');
      list.push(list);
      var map = context.getInputParameters();
      map.me = map;
      return [{ list: '' + list, map: '' + context.getInputParameters() }];
    }`,
    'scripts/ownToString.js': `function callService(context) {
      var list = context.getParameters('a');
      var other = context.getParameters('a');
      list.toString = function () { return 'mine'; };
      var map = context.getInputParameters();
      map.toString = function () { return 'my map'; };
      var proto = Object.getPrototypeOf(other);
      proto.size = function () { return -1; };
      proto.extra = 1;
      var itProto = Object.getPrototypeOf(other.iterator());
      itProto.hasNext = function () { return true; };
      var strictFails = (function () { 'use strict'; try { proto.toString = null; return false; } catch (e) { return e instanceof TypeError; } })();
      return [{ list: '' + list, other: '' + other, map: '' + map, size: other.size(), extra: other.extra === undefined,
        hasNext: context.getParameters('none').iterator().hasNext(), frozen: Object.isFrozen(proto) && Object.isFrozen(itProto), strictFails: strictFails }];
    }`,
    'scripts/firstParameter.js': `function callService(context) {
      var names = ['missing', 'empty', 'blank', 'nul', 'blankThenValue', 'value'];
      var row = {};
      for (var i = 0; i < names.length; i++) {
        row[names[i]] = context.getFirstParameter(names[i], 'dflt');
        row[names[i] + 'NoDefault'] = context.getFirstParameter(names[i]);
      }
      return [row];
    }`,
    'scripts/visible.js': `function callService(context) {
      var shown = context.isVisible('shown');
      var said = [];
      if (context.isVisible('shown') == "true") said.push('shown');
      if (context.isVisible('hidden') == "true") said.push('hidden');
      if (context.isVisible('ghost') == "true") said.push('ghost');
      return [{ type: typeof shown, shown: shown, hidden: context.isVisible('hidden'), noFlag: context.isVisible('noFlag'),
        ghost: context.isVisible('ghost'), said: said.join(',') }];
    }`,
    'scripts/oldModel.js': 'function callService(context) { var m = context.getModel(); return [{ m: m }]; }',
    'validators/visible.js': `function callService(context) {
      return context.isVisible('pesel') == "true" && context.getFirstParameter('pesel', '') == '' ? [{ key: 'pesel.required' }] : [];
    }`,
    'validators/oldModel.js': 'function callService(context) { context.getModel(); return []; }',
    'tasks/variables.js': `function callService(context, task) {
      var items = context.getVariable('items');
      var it = items.iterator();
      var total = 0;
      while (it.hasNext()) total = total + it.next().get('amount');
      var all = task.getAllVariables();
      var names = all.keySet().toArray();
      names.sort();
      context.complete({ total: total, items: '' + items, names: names.join(','), entries: '' + all.get('limits').entrySet(),
        hasLimit: all.get('limits').containsKey('max') });
    }`,
    'tasks/oldModel.js': 'function callService(context) { context.getModel(); }',
  });
}, 60_000);

afterAll(() => t?.close());

describe('Java collection semantics (SPEC §3.1)', () => {
  it('the documented repeatable-section example: getParameters(name).toArray()', async () => {
    const rows = [JSON.stringify({ name: 'a', amount: 1 }), JSON.stringify({ name: 'b', amount: 5 })];
    const r = await t.runtime.runScript('repeatable', { input: { inputFromRepeatableSection: rows } });
    expect(r.output).toEqual([{ index: 0, name: 'a', amount: 2 }, { index: 1, name: 'b', amount: 10 }]);
  });

  it('lists: iterator, toArray, contains/indexOf, Java text — and still plain arrays to JavaScript', async () => {
    const r = await t.runtime.runScript('lists', { input: { names: ['a', 'b', 'c'], n: 1 } });
    expect(r.output).toEqual([{
      seen: 'a;b;c;',
      error: 'NoSuchElementException: iterator.next(): there are no more elements (check hasNext() first) / true',
      emptyHasNext: false,
      size: 3, isEmpty: false, noneIsEmpty: true,
      contains: true, containsNot: false, containsNumber: false,
      indexOf: 1, indexOfMissing: -1, indexOfFrom: -1,
      get: 'a', getPast: null,
      text: '[a, b, c]', string: '[a, b, c]', toStringCall: '[a, b, c]', noneText: '[]',
      concatenated: 'names: [a, b, c]!', joined: 'a|b|c',
      copy: ['a', 'b', 'c', 'extra'], copyIsArray: true, copyHasNoSize: 'undefined', listAfterCopy: 3,
      length: 3, second: 'b', isArray: true, json: '["a","b","c"]',
      mapped: ['A', 'B', 'C'], filtered: ['a', 'c'], spread: ['a', 'b', 'c'], sliceText: 'a', forIn: ['0', '1', '2'], forOf: ['a', 'b', 'c'],
      keys: ['0', '1', '2'],
    }]);
  });

  it('maps: keySet, values, entrySet, containsKey/containsValue, Java text, nested lists and maps — and still plain objects', async () => {
    const customer = { name: 'Ada', tags: ['x', 'y'], address: { city: 'W' }, none: null };
    const r = await t.runtime.runScript('nested', {
      form: {
        table: { value: [[1, 2], { k: 'v' }, null, 'a b', true, 2.5], data: { sample: { k: 'v' } } },
        row: { value: [1, 2] },
        customer: { value: customer },
        tagsCopy: { value: ['x', 'y'] },
        emptyMap: { value: {} },
      },
    });
    expect(r.output).toEqual([{
      table: '[[1, 2], {k=v}, null, a b, true, 2.5]', tableSize: 6, firstRow: '[1, 2]',
      indexOfRow: 0, containsRow: true, containsMap: true,
      customer: '{name=Ada, tags=[x, y], address={city=W}, none=null}', customerString: '{name=Ada, tags=[x, y], address={city=W}, none=null}',
      tags: '[x, y]', secondTag: 'y',
      keySet: '[name, tags, address, none]', keysSeen: 'name,tags,address,none,', keysSize: 4, keysContain: true, keysContainNot: false,
      keysArray: ['name', 'tags', 'address', 'none'], keysEmpty: false,
      values: '[Ada, [x, y], {city=W}, null]', valuesContain: true, valuesSize: 4,
      entrySet: '[name=Ada, tags=[x, y], address={city=W}, none=null]', pairs: ['name -> Ada', 'tags -> [x, y]', 'address -> {city=W}', 'none -> null'],
      entriesSize: 4,
      containsKey: true, containsKeyNot: false, missing: null,
      containsValue: true, containsList: true, containsValueNot: false,
      size: 4, isEmpty: false, emptyIsEmpty: true, emptyText: '{}', emptyKeys: '[]',
      forIn: ['name', 'tags', 'address', 'none'], objectKeys: ['name', 'tags', 'address', 'none'],
      json: JSON.stringify(customer), dotted: 'W', sameAsPlain: true,
    }]);
  });

  it('a collection that holds itself renders as Java does, without looping', async () => {
    const r = await t.runtime.runScript('selfRef', { input: { a: ['x'] } });
    expect(r.output).toEqual([{ list: '[x, (this Collection)]', map: '{a=[x], me=(this Map)}' }]);
  });

  it('a script can give its own list or map a toString, as with arrays; the shared prototypes cannot be changed', async () => {
    const r = await t.runtime.runScript('ownToString', { input: { a: ['x', 'y'] } });
    expect(r.output).toEqual([{ list: 'mine', other: '[x, y]', map: 'my map', size: 2, extra: true, hasNext: false, frozen: true, strictFails: true }]);
  });

  it('task variables are Java collections too', async () => {
    const r = await t.runtime.executeTask('variables', {
      variables: { items: [{ amount: 2 }, { amount: 3 }], limits: { max: 10, min: 1 }, other: 'x' },
    });
    expect(r).toMatchObject({
      outcome: 'complete',
      variables: { total: 5, items: '[{amount=2}, {amount=3}]', names: 'items,limits,other', entries: '[max=10, min=1]', hasLimit: true },
    });
  });
});

describe('getFirstParameter, isVisible, getModel as the reference documentation has them', () => {
  it('getFirstParameter(name, default) gives the default when the parameter is missing or empty ([], [""], [null])', async () => {
    const r = await t.runtime.runScript('firstParameter', {
      input: { empty: [], blank: [''], nul: [null], blankThenValue: ['', 'x'], value: ['v', 'w'] },
    });
    expect(r.output).toEqual([{
      missing: 'dflt', missingNoDefault: null,
      empty: 'dflt', emptyNoDefault: null,
      blank: 'dflt', blankNoDefault: null,
      nul: 'dflt', nulNoDefault: null,
      blankThenValue: 'dflt', blankThenValueNoDefault: null,
      value: 'v', valueNoDefault: 'v',
    }]);
  });

  it('isVisible(id) is the text "true" or "false": platform scripts compare == "true"', async () => {
    const r = await t.runtime.runScript('visible', {
      form: { shown: { visible: true }, hidden: { visible: false }, noFlag: { value: 1 } },
    });
    expect(r.output).toEqual([{ type: 'string', shown: 'true', hidden: 'false', noFlag: 'true', ghost: 'false', said: 'shown' }]);
    const v = await t.runtime.validate('visible', { input: { pesel: [''] }, form: { pesel: { visible: true } } });
    expect(v.errors.map((e) => e.key)).toEqual(['pesel.required']);
    const hidden = await t.runtime.validate('visible', { input: { pesel: [''] }, form: { pesel: { visible: false } } });
    expect(hidden.errors).toEqual([]);
  });

  it('getModel() names the documented replacement (api.model) and what to use here, per kind', async () => {
    const s = await rejection(() => t.runtime.runScript('oldModel'));
    expect(s.body.error.message).toContain('api.model');
    expect(s.body.error.message).toContain('context.getValue(id)');
    expect(s.body.error.message).toContain('context.setValue(id, value)');
    const v = await rejection(() => t.runtime.validate('oldModel'));
    expect(v.body.error.message).toContain('api.model');
    expect(v.body.error.message).toContain('context.getValue(id)');
    expect(v.body.error.message).not.toContain('setValue');
    const task = await t.runtime.executeTask('oldModel');
    expect(task.outcome).toBe('failure');
    expect(task.cause).toContain('api.model');
    expect(task.cause).toContain('context.getVariable(name)');
  });
});
