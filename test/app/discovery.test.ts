import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverScripts } from '../../src/app/discovery.js';
import { makeApp } from '../helpers/app.js';

describe('discoverScripts', () => {
  it('finds the scripts of every kind folder; a .js shadows a .ts of the same name; other files are not scripts', async () => {
    const app = await makeApp({
      'scripts/b.js': '', 'scripts/a.ts': '', 'scripts/a.js': '', 'scripts/types.d.ts': '', 'scripts/notes.txt': '',
      'scripts/-bad.js': '', 'scripts/sub/deep.js': '', 'validators/pesel.ts': '', 'formatters/iban.js': '',
    });
    try {
      await symlink(join(app.dir, 'scripts/b.js'), join(app.dir, 'scripts/linked.js'));
      await symlink(join(app.dir, 'nowhere.js'), join(app.dir, 'scripts/dangling.js'));
      await mkdir(join(app.dir, 'tasks'));
      const { scripts, shadowed } = discoverScripts(app.dir);
      expect(scripts.map((s) => `${s.kind}:${s.name}:${s.relativePath}`)).toEqual([
        'scriptService:a:scripts/a.js', 'scriptService:b:scripts/b.js', 'scriptService:linked:scripts/linked.js',
        'validationScript:pesel:validators/pesel.ts', 'formatter:iban:formatters/iban.js',
      ]);
      expect(shadowed).toEqual(['scripts/a.ts']);
      expect(discoverScripts(app.dir, ['formatter']).scripts.map((s) => s.name)).toEqual(['iban']);
    } finally {
      await app.remove();
    }
  });
});
