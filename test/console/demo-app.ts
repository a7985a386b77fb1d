// The demo application (examples/demo) as files for a temporary copy, served
// by a real server next to a real demo partner (examples/partner) on loopback.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error the partner is plain JavaScript without type declarations
import { startPartner } from '../../examples/partner/server.mjs';
import type { ConfigOverrides } from '../../src/app/load-config.js';
import { startServer, type ServerUnderTest } from '../server/helpers.js';

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));

export interface Partner {
  url: string;
  stats: Record<string, number>;
  close(): Promise<void>;
}

async function filesOf(dir: string, root = dir): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, await filesOf(full, root));
    else files[relative(root, full)] = await readFile(full, 'utf8');
  }
  return files;
}

export interface DemoServer {
  partner: Partner;
  server: ServerUnderTest;
  close(): Promise<void>;
}

/** examples/demo (plus `extra` files) in a temporary folder, served with its services pointed at a fresh partner. */
export async function startDemo(extra: Record<string, string> = {}, config: ConfigOverrides = {}): Promise<DemoServer> {
  const partner = (await startPartner({ port: 0 })) as Partner;
  try {
    const server = await startServer({ ...(await filesOf(DEMO)), ...extra }, {
      config: {
        ...config,
        services: {
          partner: { url: `${partner.url}/api` },
          partnerCases: { url: `${partner.url}/api`, auth: { tokenUrl: `${partner.url}/oauth2/token` } },
        },
      } as ConfigOverrides,
    });
    return { partner, server, close: async () => { await server.close(); await partner.close(); } };
  } catch (error) {
    await partner.close();
    throw error;
  }
}
