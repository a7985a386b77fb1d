// What a run takes, by kind: the input map (scripts, validators) with the form
// state, the process variables with a process-instance id (tasks), or the
// text, locale and cursor (formatters); and the Run button.
import type { Kind } from '../api';

export interface RunInputs {
  input: string;
  form: string;
  processInstanceId: string;
  locale: string;
  cursor: string;
}

export const EMPTY_INPUTS: RunInputs = { input: '{}', form: '', processInstanceId: 'p-1', locale: 'en-US', cursor: '' };
export const FORMATTER_INPUTS: RunInputs = { ...EMPTY_INPUTS, input: '' };

const INPUT_HELP: Record<Kind, string> = {
  scriptService: 'the input map as JSON: {"name": "Ada"} (a value or a list of values per parameter)',
  validationScript: 'the input map as JSON: {"pesel": "44051401458"}',
  scriptTask: 'the process variables as JSON: {"amount": 5000}',
  formatter: 'the text to format, as typed',
};

interface Props {
  kind: Kind;
  inputs: RunInputs;
  running: boolean;
  onChange(inputs: RunInputs): void;
  onRun(): void;
}

export function RunPanel({ kind, inputs, running, onChange, onRun }: Props) {
  const set = (key: keyof RunInputs) => (event: Event) => onChange({ ...inputs, [key]: (event.target as HTMLInputElement).value });
  const runOnCtrlEnter = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onRun();
    }
  };
  return (
    <form class="run-panel" onSubmit={(e) => { e.preventDefault(); onRun(); }} aria-label="Run the script">
      <div class="field grow">
        <label for="run-input">Input</label>
        <textarea id="run-input" aria-label="Input" aria-describedby="run-input-help" spellcheck={false} rows={kind === 'formatter' ? 2 : 4}
          value={inputs.input} onInput={set('input')} onKeyDown={runOnCtrlEnter} />
        <small id="run-input-help" class="muted">{INPUT_HELP[kind]}</small>
      </div>
      {(kind === 'scriptService' || kind === 'validationScript') && (
        <div class="field grow">
          <label for="run-form">Form</label>
          <textarea id="run-form" aria-label="Form" spellcheck={false} rows={4} placeholder='optional: {"amount": {"value": 100, "visible": true}}'
            value={inputs.form} onInput={set('form')} onKeyDown={runOnCtrlEnter} />
          <small class="muted">form state: component id → value, visible, data</small>
        </div>
      )}
      {kind === 'scriptTask' && (
        <div class="field">
          <label for="run-pid">Process instance id</label>
          <input id="run-pid" value={inputs.processInstanceId} onInput={set('processInstanceId')} />
        </div>
      )}
      {kind === 'formatter' && (
        <>
          <div class="field">
            <label for="run-locale">Locale</label>
            <input id="run-locale" value={inputs.locale} onInput={set('locale')} />
          </div>
          <div class="field">
            <label for="run-cursor">Cursor</label>
            <input id="run-cursor" type="number" min={0} value={inputs.cursor} onInput={set('cursor')} />
          </div>
        </>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={running}>Run</button>
        <small class="muted">Ctrl+Enter</small>
      </div>
    </form>
  );
}

/** The request body for the kind's endpoint, or why the inputs are not usable. */
export function runBody(kind: Kind, inputs: RunInputs): { ok: true; body: Record<string, unknown> } | { ok: false; message: string } {
  if (kind === 'formatter') {
    const cursor = inputs.cursor.trim() === '' ? undefined : Number(inputs.cursor);
    if (cursor !== undefined && !(Number.isInteger(cursor) && cursor >= 0)) return { ok: false, message: 'Cursor must be a whole number, 0 or more' };
    return { ok: true, body: { textToFormat: inputs.input, ...(inputs.locale.trim() && { locale: inputs.locale.trim() }), ...(cursor !== undefined && { cursorPosition: cursor }), trace: true } };
  }
  let input: unknown;
  try {
    input = inputs.input.trim() === '' ? {} : JSON.parse(inputs.input);
  } catch (error) {
    return { ok: false, message: `Input is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, message: 'Input must be a JSON object: {"name": "value"}' };
  if (kind === 'scriptTask') {
    return { ok: true, body: { variables: input, ...(inputs.processInstanceId.trim() && { processInstanceId: inputs.processInstanceId.trim() }), trace: true } };
  }
  let form: unknown;
  if (inputs.form.trim() !== '') {
    try {
      form = JSON.parse(inputs.form);
    } catch (error) {
      return { ok: false, message: `Form is not valid JSON: ${(error as Error).message}` };
    }
  }
  return { ok: true, body: { input, ...(form !== undefined && { form }), trace: true } };
}
