// The script editor: one Monaco editor, one model for the open script (file:///app/<path>),
// its hidden annotated copy for `context.` completion (entry-types.ts), and the
// problems `scriptcode check` found, as markers.
import type { Finding, Kind, SourceFile } from './api';
import { accessRoot, shadowOf, type Shadow } from './entry-types';
import { getJavaScriptWorker, getTypeScriptWorker, monaco } from './monaco';

export const CHECK_MARKERS = 'scriptcode-check';

export interface ScriptEditor {
  open(file: SourceFile): void;
  value(): string;
  setFindings(findings: Finding[]): void;
  goTo(line: number, column?: number): void;
  onChange(listener: () => void): void;
  onCursor(listener: (line: number, column: number) => void): void;
  dispose(): void;
}

const KIND_OF_ENTRY: Record<string, monaco.languages.CompletionItemKind> = {
  method: monaco.languages.CompletionItemKind.Method,
  function: monaco.languages.CompletionItemKind.Function,
  property: monaco.languages.CompletionItemKind.Property,
  getter: monaco.languages.CompletionItemKind.Property,
  var: monaco.languages.CompletionItemKind.Variable,
  const: monaco.languages.CompletionItemKind.Constant,
  interface: monaco.languages.CompletionItemKind.Interface,
};

export function createScriptEditor(container: HTMLElement): ScriptEditor {
  const editor = monaco.editor.create(container, {
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    scrollBeyondLastLine: false,
    tabSize: 2,
    renderLineHighlight: 'line',
    fixedOverflowWidgets: true,
    ariaLabel: 'Script source',
  });
  let model: monaco.editor.ITextModel | undefined;
  let shadowModel: monaco.editor.ITextModel | undefined;
  let current: { kind: Kind; language: 'js' | 'ts' } | undefined;
  let shadow: Shadow | undefined;
  const changeListeners: (() => void)[] = [];

  function syncShadow(): void {
    if (!model || !current) return;
    shadow = shadowOf(model.getValue(), current.kind, current.language);
    if (shadowModel && shadow && shadowModel.getValue() !== shadow.text) shadowModel.setValue(shadow.text);
  }

  const provider = monaco.languages.registerCompletionItemProvider(['javascript', 'typescript'], {
    triggerCharacters: ['.'],
    async provideCompletionItems(target, position) {
      if (target !== model || !shadowModel || !current) return { suggestions: [] };
      syncShadow();
      const line = target.getLineContent(position.lineNumber).slice(0, position.column - 1);
      const root = accessRoot(line);
      if (!shadow || !root || !shadow.params.includes(root)) return { suggestions: [] };
      const offset = shadow.map(target.getOffsetAt(position));
      const worker = await (current.language === "ts" ? getTypeScriptWorker : getJavaScriptWorker)();
      const client = await worker(shadowModel.uri);
      const info = await client.getCompletionsAtPosition(shadowModel.uri.toString(), offset) as { entries: { name: string; kind: string; sortText: string }[] } | undefined;
      const word = target.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      return {
        suggestions: (info?.entries ?? []).map((entry) => ({
          label: entry.name,
          kind: KIND_OF_ENTRY[entry.kind] ?? monaco.languages.CompletionItemKind.Property,
          insertText: entry.name,
          sortText: entry.sortText,
          range,
          detail: `${root} member`,
        })),
      };
    },
  });

  editor.onDidChangeModelContent(() => {
    syncShadow();
    for (const listener of changeListeners) listener();
  });

  return {
    open(file) {
      model?.dispose();
      shadowModel?.dispose();
      const language = file.language === 'ts' ? 'typescript' : 'javascript';
      current = { kind: file.kind, language: file.language };
      model = monaco.editor.createModel(file.source, language, monaco.Uri.parse(`file:///app/${file.path}`));
      shadow = shadowOf(file.source, file.kind, file.language);
      shadowModel = monaco.editor.createModel(shadow?.text ?? file.source, language, monaco.Uri.parse(`file:///shadow/${file.path}`));
      editor.setModel(model);
      editor.setPosition({ lineNumber: 1, column: 1 });
    },
    value: () => model?.getValue() ?? '',
    setFindings(findings) {
      if (!model) return;
      const lines = model.getLineCount();
      monaco.editor.setModelMarkers(model, CHECK_MARKERS, findings.map((f) => {
        const line = Math.min(Math.max(f.line ?? 1, 1), lines);
        const column = Math.max(f.column ?? 1, 1);
        const end = model!.getWordAtPosition({ lineNumber: line, column })?.endColumn ?? model!.getLineMaxColumn(line);
        return {
          severity: f.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          message: f.message,
          source: 'scriptcode check',
          startLineNumber: line,
          startColumn: f.column === undefined ? 1 : column,
          endLineNumber: line,
          endColumn: f.column === undefined ? model!.getLineMaxColumn(line) : Math.max(end, column + 1),
        };
      }));
    },
    goTo(line, column = 1) {
      editor.setPosition({ lineNumber: line, column });
      editor.revealLineInCenter(line);
      editor.focus();
    },
    onChange(listener) {
      changeListeners.push(listener);
    },
    onCursor(listener) {
      editor.onDidChangeCursorPosition((e) => listener(e.position.lineNumber, e.position.column));
    },
    dispose() {
      provider.dispose();
      model?.dispose();
      shadowModel?.dispose();
      editor.dispose();
    },
  };
}
