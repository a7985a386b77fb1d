// `scriptcode services check [id] [--app DIR] [--json]`: tests the connection
// to the services of scriptcode.yaml step by step (DNS, network policy, TCP,
// TLS certificate, OAuth2 token, healthPath) — see src/http/connection-check.ts.
// Prints a report (or the JSON the server's POST /api/services/{id}/check
// answers, as a list); never a secret. Exit 0 when every check passed, 1 when
// one failed, 2 for usage or configuration errors (an unknown id included).
// The HTTP stack is loaded when the command runs.
import type { Command } from 'commander';

interface CheckOptions {
  app: string;
  json?: boolean;
}

export function registerServices(program: Command): void {
  const services = program
    .command('services')
    .description('the REST services declared in scriptcode.yaml')
    .addHelpText('after', '\nExamples:\n  $ scriptcode services check\n  $ scriptcode services check crm --app ./my-app\n');
  services
    .command('check')
    .description('test the connection to each service (or one): DNS, network policy, TCP, TLS certificate, OAuth2 token, healthPath')
    .argument('[id]', 'the service to check (default: every service)')
    .option('--app <dir>', 'the application folder', '.')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptcode services check\n  $ scriptcode services check crm --app ./my-app --json\n')
    .action(async (id: string | undefined, options: CheckOptions) => {
      const { checkServices, renderServiceChecks } = await import('../../tools/services-check.js');
      const results = await checkServices({ app: options.app, id, onWarning: (message) => process.stderr.write(`scriptcode: warning: ${message}\n`) });
      if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else {
        const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
        const colour = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
        process.stdout.write(renderServiceChecks(results, { green: colour(32), red: colour(31), dim: colour(2) }));
      }
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    });
}
