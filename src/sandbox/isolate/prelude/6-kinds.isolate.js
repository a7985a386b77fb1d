// Part of the prelude (see ../prelude.ts): the `context` (and `task`) objects each script kind gets.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ----------------------------------------------------------- script kinds
function fail(message) { throw new ErrorCtor(message); }
function removedApi() {
  fail("context.api() was removed. Call REST services with api.rest.v1, for example: " +
    "const r = api.rest.v1.get('crm', { path: 'customers/{id}', pathParams: { id: id } }); return [{ name: r.body.name }];");
}

function makeFormAccess(form, changes, readOnly) {
  const components = form || {};
  return {
    getValue(id) {
      if (reflectApply(hasOwn, changes, [id])) return changes[id];
      const c = components[id];
      return c && c.value !== undefined ? javaify(jsonParse(jsonStringify(c.value))) : null;
    },
    // The platform's `String isVisible(id)`: the text "true" or "false"
    // (its scripts compare `== "true"`); unknown components are not visible.
    isVisible(id) {
      const c = components[id];
      return c && c.visible !== false ? 'true' : 'false';
    },
    getData(id, attribute) {
      const c = components[id];
      const data = c && c.data;
      if (!data || !reflectApply(hasOwn, data, [attribute])) return null;
      return javaify(jsonParse(jsonStringify(data[attribute])));
    },
    setValue(id, value) {
      if (readOnly) fail('context.setValue() is not available in a validator: validators only check the form, they cannot change it.');
      if (typeof id !== 'string' || id === '') fail('context.setValue(id, value): id must be a non-empty string');
      let copy;
      try { copy = value === undefined ? null : jsonParse(jsonStringify(value)); } catch (e) {
        fail('context.setValue(' + jsonStringify(id) + ', value): the value cannot be serialized to JSON');
      }
      changes[id] = copy;
    },
  };
}

function makeScriptContext(payload, readOnly, changes) {
  const input = javaify(payload.input || {});
  const form = makeFormAccess(payload.form, changes, readOnly);
  return freeze({
    getParameters(name) {
      const v = reflectApply(hasOwn, input, [name]) ? input[name] : null;
      return javaList(v ? reflectApply(arraySlice, v, []) : []);
    },
    // The default (or null) when the parameter is missing or empty: no
    // values, or a first value that is "" or null ([], [""], [null]).
    getFirstParameter(name, defaultValue) {
      const v = reflectApply(hasOwn, input, [name]) ? input[name] : null;
      const first = v && v.length > 0 ? v[0] : null;
      if (first !== null && first !== undefined && first !== '') return first;
      return defaultValue === undefined ? null : defaultValue;
    },
    getInputParameters() { return input; },
    getValue: form.getValue,
    isVisible: form.isVisible,
    getData: form.getData,
    setValue: form.setValue,
    callService(name, input) { return scriptCall('callService', name, input); },
    validate(name, input) { return scriptCall('validate', name, input); },
    api: removedApi,
    getModel() {
      fail('context.getModel() is deprecated and not available in ScriptCode. The reference platform says to use api.model instead; ' +
        'ScriptCode has no api.model: read form values with context.getValue(id) (and context.getData(id, attribute)), parameters with ' +
        'context.getParameters(name) or context.getFirstParameter(name)' +
        (readOnly ? '.' : ', and change a form value with context.setValue(id, value).'));
    },
  });
}

function makeTask(payload) {
  const variables = javaify(payload.variables || {});
  const processInstanceId = payload.processInstanceId === undefined ? null : payload.processInstanceId;
  return {
    getVariable(name) { return reflectApply(hasOwn, variables, [name]) ? variables[name] : null; },
    getAllVariables() { return javaify(jsonParse(jsonStringify(variables))); },
    getProcessInstanceId() { return processInstanceId; },
    getProcessIntanceId() { return processInstanceId; },
  };
}

function makeTaskContext(payload, outcome) {
  const task = makeTask(payload);
  function record(kind, fields) {
    if (outcome.kind) {
      fail('The task already has an outcome (' + outcome.kind + '); call exactly one of complete(), handleFailure() or handleBpmnError() per run.');
    }
    outcome.kind = kind;
    for (const k of objectKeys(fields)) outcome[k] = fields[k];
  }
  function copyJson(what, value) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || ArrayIsArray(value)) fail(what + ' must be an object of name → value');
    try { return jsonParse(jsonStringify(value)); } catch (e) { fail(what + ' cannot be serialized to JSON: ' + StringFn(e && e.message)); }
  }
  function causeText(cause) {
    if (cause === undefined || cause === null) return undefined;
    if (typeof cause === 'string') return cause;
    if (cause instanceof ErrorCtor) return StringFn(cause.message);
    return renderArg(cause);
  }
  const context = {
    getVariable: task.getVariable,
    getAllVariables: task.getAllVariables,
    getProcessInstanceId: task.getProcessInstanceId,
    getProcessIntanceId: task.getProcessIntanceId,
    complete(variables, modelChanges) {
      const v = copyJson('complete(variables): variables', variables);
      const m = copyJson('complete(variables, modelChanges): modelChanges', modelChanges);
      record('complete', { variables: v || {}, modelChanges: m });
    },
    handleFailure(cause) {
      record('failure', { cause: causeText(cause) || 'failure' });
    },
    handleBpmnError(errorCode, cause) {
      if (typeof errorCode !== 'string' || errorCode === '') fail('handleBpmnError(errorCode, cause): errorCode must be a non-empty string');
      record('bpmnError', { errorCode, cause: causeText(cause) });
    },
    callService(name, input) { return scriptCall('callService', name, input); },
    validate(name, input) { return scriptCall('validate', name, input); },
    api: removedApi,
    getModel() {
      fail('context.getModel() is deprecated and not available in ScriptCode. The reference platform says to use api.model instead; ' +
        'ScriptCode has no api.model: read process variables with context.getVariable(name) or context.getAllVariables(), ' +
        'and return changes with context.complete(variables, modelChanges).');
    },
  };
  return { context: freeze(context), task: freeze(task) };
}
