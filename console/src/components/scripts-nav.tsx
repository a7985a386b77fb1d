// The application's scripts, grouped by kind, each named by the script's name.
import type { Kind, ScriptEntry } from '../api';

export const KIND_TITLES: Record<Kind, string> = {
  scriptService: 'Scripts',
  validationScript: 'Validators',
  scriptTask: 'Tasks',
  formatter: 'Formatters',
};

interface Props {
  scripts: ScriptEntry[];
  selected?: ScriptEntry;
  onSelect(entry: ScriptEntry): void;
}

export function ScriptsNav({ scripts, selected, onSelect }: Props) {
  return (
    <nav aria-label="Scripts" class="scripts-nav">
      {(Object.keys(KIND_TITLES) as Kind[]).map((kind) => {
        const entries = scripts.filter((s) => s.kind === kind);
        return (
          <div class="kind-group" key={kind}>
            <h2 id={`kind-${kind}`}>{KIND_TITLES[kind]}</h2>
            {entries.length === 0 ? <p class="muted">none</p> : (
              <ul aria-labelledby={`kind-${kind}`}>
                {entries.map((entry) => (
                  <li key={entry.path}>
                    <button
                      type="button"
                      class={selected?.path === entry.path ? 'script selected' : 'script'}
                      aria-current={selected?.path === entry.path ? 'true' : undefined}
                      title={entry.description ?? entry.path}
                      onClick={() => onSelect(entry)}
                    >
                      {entry.name}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </nav>
  );
}
