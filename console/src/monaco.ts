// Monaco, as little of it as the console needs (ESM build, bundled — no CDN):
// the editor core with the usual editing features, JavaScript and TypeScript
// (syntax, and the TypeScript language service in its worker) and two workers:
// the editor's own and TypeScript's. The runtime's typings (types/scriptcode.d.ts)
// are loaded into the language service, so `api.rest.v1.` completes.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-esm/base/browser/ui/codicons/codicon/codicon.css';
import 'monaco-esm/base/browser/ui/codicons/codicon/codicon-modifiers.css';
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/editor/contrib/parameterHints/browser/parameterHints.js';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2.js';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/editor/common/standaloneStrings.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/typescript/register.js';
import { getJavaScriptWorker, getTypeScriptWorker, javascriptDefaults, ScriptTarget, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register.js';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker.js?worker';
import typings from '../../types/scriptcode.d.ts?raw';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker()),
};

// What the sandbox has: ECMAScript built-ins and the runtime's globals — no DOM, no Node.
const compilerOptions = {
  target: ScriptTarget.ES2020,
  lib: ['es2023'],
  allowJs: true,
  checkJs: false,
  allowNonTsExtensions: true,
  noEmit: true,
  strict: false,
};
for (const defaults of [javascriptDefaults, typescriptDefaults]) {
  defaults.setCompilerOptions(compilerOptions);
  defaults.setExtraLibs([{ content: typings, filePath: 'file:///types/scriptcode.d.ts' }]);
  // Syntax errors as you type; the semantic problems come from `scriptcode check`
  // on the server (the same TypeScript check with the runtime's settings, plus
  // V8's compile errors and unknown service ids), so they are not reported twice.
  defaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });
  defaults.setEagerModelSync(true);
}

export { monaco, getJavaScriptWorker, getTypeScriptWorker };
