// The console's one screen: scripts on the left; the editor, its problems and
// the run inputs in the middle; the answer and the trace on the right;
// services and tests below. State lives here; the panels are components/.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, RUN_PATHS, setToken, token, whenUnauthorized, type Finding, type ScriptEntry, type ServiceView, type SourceFile } from './api';
import { OutputView, type RunResult } from './components/output-view';
import { EMPTY_INPUTS, FORMATTER_INPUTS, RunPanel, runBody, type RunInputs } from './components/run-panel';
import { ScriptsNav } from './components/scripts-nav';
import { ServicesView } from './components/services-view';
import { TestsView } from './components/tests-view';
import { TokenPrompt } from './components/token-prompt';
import { TraceView } from './components/trace-view';
import { createScriptEditor, type ScriptEditor } from './editor';

type Phase = 'loading' | 'token' | 'ready' | 'failed';
interface Notice { tone: 'ok' | 'error'; text: string; conflict?: boolean }

const CHECK_DELAY_MS = 700;
const sourcePath = (entry: { kind: string; name: string }) => `/api/sources/${entry.kind}/${encodeURIComponent(entry.name)}`;

export function App() {
  const [phase, setPhase] = useState<Phase>('loading');
  const [failure, setFailure] = useState<string>();
  const [tokenRefused, setTokenRefused] = useState(false);
  const [settings, setSettings] = useState<{ edit: boolean; app: string }>();
  const [scripts, setScripts] = useState<ScriptEntry[]>([]);
  const [selected, setSelected] = useState<ScriptEntry>();
  const [file, setFile] = useState<SourceFile>();
  const [dirty, setDirty] = useState(false);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [inputs, setInputs] = useState<Record<string, RunInputs>>({});
  const [result, setResult] = useState<RunResult>();
  const [running, setRunning] = useState(false);
  const [services, setServices] = useState<ServiceView[]>();
  const [servicesError, setServicesError] = useState<string>();
  const [notice, setNotice] = useState<Notice>();
  const [cursor, setCursor] = useState<[number, number]>([1, 1]);
  const editorHost = useRef<HTMLDivElement>(null);
  const editor = useRef<ScriptEditor | undefined>(undefined);
  const current = useRef<{ file?: SourceFile; checkTimer?: number; checkSeq: number; drafts: Map<string, SourceFile> }>({ checkSeq: 0, drafts: new Map() });

  async function load() {
    setPhase('loading');
    try {
      const [s, list] = await Promise.all([api<{ edit: boolean; app: string }>('GET', '/api/console'), api<{ scripts: ScriptEntry[] }>('GET', '/api/scripts')]);
      setSettings(s);
      setScripts(list.scripts);
      setPhase('ready');
      refreshServices();
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) {
        setTokenRefused(Boolean(token()));
        setPhase('token');
      } else {
        setFailure(e instanceof Error ? e.message : String(e));
        setPhase('failed');
      }
    }
  }

  async function refreshServices() {
    try {
      setServices((await api<{ services: ServiceView[] }>('GET', '/api/services')).services);
      setServicesError(undefined);
    } catch (e) {
      setServicesError(e instanceof Error ? e.message : String(e));
    }
  }

  useEffect(() => {
    whenUnauthorized(() => {
      setTokenRefused(Boolean(token()));
      setPhase('token');
    });
    load();
  }, []);

  // the editor, once its place is on the page (and gone with it: a 401 later shows the token prompt instead)
  useEffect(() => {
    if (phase !== 'ready') {
      editor.current?.dispose();
      editor.current = undefined;
      return;
    }
    if (!editorHost.current || editor.current) return;
    const e = createScriptEditor(editorHost.current);
    editor.current = e;
    e.onCursor((line, column) => setCursor([line, column]));
    e.onChange(() => {
      const open = current.current.file;
      if (!open) return;
      const text = e.value();
      const changed = text !== open.source;
      setDirty(changed);
      if (changed) current.current.drafts.set(open.path, { ...open, source: text });
      else current.current.drafts.delete(open.path);
      scheduleCheck();
    });
    if (current.current.file) e.open(current.current.file);
  }, [phase]);

  function scheduleCheck(delay = CHECK_DELAY_MS) {
    window.clearTimeout(current.current.checkTimer);
    current.current.checkTimer = window.setTimeout(runCheck, delay);
  }

  async function runCheck() {
    const open = current.current.file;
    if (!open || !editor.current) return;
    const seq = ++current.current.checkSeq;
    try {
      const report = await api<{ findings: Finding[] }>('POST', '/api/check', { kind: open.kind, name: open.name, source: editor.current.value() });
      if (seq !== current.current.checkSeq || current.current.file?.path !== open.path) return;
      setFindings(report.findings);
      editor.current.setFindings(report.findings);
    } catch {
      // the next change checks again
    }
  }

  function showFile(loaded: SourceFile, draft?: SourceFile) {
    current.current.file = loaded;
    setFile(loaded);
    setFindings([]);
    editor.current?.open(draft ?? loaded);
    setDirty(Boolean(draft && draft.source !== loaded.source));
    scheduleCheck(0);
  }

  async function open(entry: ScriptEntry) {
    setSelected(entry);
    setNotice(undefined);
    setResult(undefined);
    setInputs((all) => (all[entry.path] ? all : { ...all, [entry.path]: entry.kind === 'formatter' ? FORMATTER_INPUTS : EMPTY_INPUTS }));
    const draft = current.current.drafts.get(entry.path);
    try {
      const loaded = await api<SourceFile>('GET', sourcePath(entry));
      // a draft of an older version stays a draft: saving it will say the file changed
      showFile(draft ? { ...loaded, version: draft.version } : loaded, draft);
    } catch (e) {
      setNotice({ tone: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  }

  async function reload() {
    const open = current.current.file;
    if (!open) return;
    current.current.drafts.delete(open.path);
    setNotice(undefined);
    const loaded = await api<SourceFile>('GET', sourcePath(open));
    showFile(loaded);
    setNotice({ tone: 'ok', text: `Reloaded ${loaded.path} from disk.` });
  }

  async function save() {
    const open = current.current.file;
    if (!open || !editor.current) return;
    const source = editor.current.value();
    try {
      const saved = await api<{ path: string; version: string }>('POST', sourcePath(open), { source, version: open.version });
      const next = { ...open, source, version: saved.version };
      current.current.file = next;
      current.current.drafts.delete(open.path);
      setFile(next);
      setDirty(editor.current.value() !== source);
      setNotice({ tone: 'ok', text: `Saved ${saved.path}; the server runs the new version from now on.` });
      scheduleCheck(0);
    } catch (e) {
      if (e instanceof ApiFailure && e.code === 'SOURCE_CHANGED') setNotice({ tone: 'error', text: `Not saved: ${e.message}`, conflict: true });
      else setNotice({ tone: 'error', text: `Not saved: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  async function run() {
    if (!selected) return;
    const prepared = runBody(selected.kind, inputs[selected.path] ?? EMPTY_INPUTS);
    if (!prepared.ok) {
      setResult({ kind: selected.kind, status: 0, body: { error: { name: 'InputError', message: prepared.message } }, path: selected.path });
      return;
    }
    setRunning(true);
    try {
      const body = await api<Record<string, unknown>>('POST', RUN_PATHS[selected.kind](selected.name), prepared.body);
      setResult({ kind: selected.kind, status: 200, body, path: selected.path });
    } catch (e) {
      setResult({ kind: selected.kind, status: e instanceof ApiFailure ? e.status : 500, body: e instanceof ApiFailure ? e.body : { error: { name: 'Error', message: String(e) } }, path: selected.path });
    } finally {
      setRunning(false);
      refreshServices();
    }
  }

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key === 's') {
        event.preventDefault();
        if (settings?.edit) save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (phase === 'token') {
    return (
      <main class="shell narrow">
        <header class="top"><h1>ScriptCode console</h1></header>
        <TokenPrompt refused={tokenRefused} onToken={(t) => { setToken(t); load(); }} />
      </main>
    );
  }
  if (phase === 'failed') return <main class="shell narrow"><h1>ScriptCode console</h1><p role="alert" class="error">The console could not load: {failure}</p></main>;

  const errors = findings.filter((f) => f.severity === 'error').length;
  return (
    <div class="shell">
      <header class="top">
        <h1>ScriptCode console</h1>
        <span class="muted">{settings ? `application ${settings.app}` : 'loading…'}</span>
        <span class="muted">{settings && (settings.edit ? 'editing on' : 'read-only (server.console.edit is off)')}</span>
        {token() && <button type="button" class="small" onClick={() => { setToken(null); location.reload(); }}>Forget token</button>}
      </header>
      <ScriptsNav scripts={scripts} selected={selected} onSelect={open} />
      <main class="work">
        <section aria-label="Editor" class="panel editor-panel">
          <div class="toolbar">
            <strong>{file ? file.path : 'Pick a script'}</strong>
            {dirty && <span class="note">unsaved</span>}
            <span class={errors ? 'error' : 'muted'}>{file ? `${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}` : ''}</span>
            <span class="spacer" />
            <span class="muted" aria-label="Cursor position">Ln {cursor[0]}, Col {cursor[1]}</span>
            {settings?.edit && <button type="button" class="primary" disabled={!file} onClick={save}>Save</button>}
          </div>
          {notice && (
            <p role={notice.tone === 'error' ? 'alert' : 'status'} class={notice.tone === 'error' ? 'error notice' : 'ok notice'}>
              {notice.text} {notice.conflict && <button type="button" class="small" onClick={reload}>Reload from disk</button>}
            </p>
          )}
          <div class="editor" ref={editorHost} />
          {findings.length > 0 && (
            <ul class="problems" aria-label="Problems">
              {findings.map((f, i) => (
                <li key={i} class={f.severity}>
                  <a href="#" onClick={(e) => { e.preventDefault(); if (f.line) editor.current?.goTo(f.line, f.column); }}>{f.line ? `${f.line}:${f.column ?? 1}` : f.file}</a> {f.message}
                </li>
              ))}
            </ul>
          )}
        </section>
        {selected && (
          <RunPanel kind={selected.kind} inputs={inputs[selected.path] ?? EMPTY_INPUTS} running={running}
            onChange={(next) => setInputs((all) => ({ ...all, [selected.path]: next }))} onRun={run} />
        )}
      </main>
      <aside class="results">
        <OutputView result={result} running={running} stale={dirty} onGoTo={(line, column) => editor.current?.goTo(line, column)} />
        <TraceView calls={result?.body.trace?.calls} logs={result?.body.logs} totalMs={result?.body.durationMs} />
      </aside>
      <footer class="bottom">
        <ServicesView services={services} error={servicesError} onRefresh={refreshServices} />
        <TestsView />
      </footer>
    </div>
  );
}
