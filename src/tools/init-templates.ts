// The application `scriptcode init` writes: one script of each kind calling a
// service (formatters have no REST access), a test file for each, and editor
// typings and JSON Schemas. `scriptcode test` and `scriptcode check` pass on it
// as written (test/tools/init.test.ts keeps it that way).

/** Where init writes the JSON Schemas (src/tools/json-schemas.ts), relative to the application folder. */
export const INIT_SCHEMAS_DIR = 'schemas';

/**
 * The modeline yaml-language-server (VS Code's YAML extension, IntelliJ, Neovim,
 * …) reads: a path relative to the file, to the copy init wrote — it works
 * offline and needs no package installed in the application folder.
 */
const modeline = (schema: string) => `# yaml-language-server: $schema=${schema}\n`;
const CONFIG_MODELINE = modeline(`./${INIT_SCHEMAS_DIR}/scriptcode.schema.json`);
const TEST_MODELINE = modeline(`../${INIT_SCHEMAS_DIR}/test-case.schema.json`);

const CONFIG = `${CONFIG_MODELINE}# A ScriptCode application (created by \`scriptcode init\`).
# Services are declared here by id; scripts call them with api.rest.v1.
services:
  crm:
    url: https://crm.example.com/api/v1
    timeouts: { connectTimeout: 2000, readTimeout: 10000 }
    # Credentials come from the environment or files, never from this file:
    # auth:
    #   type: bearer
    #   token: \${env:CRM_TOKEN}
logging:
  sensitive: mask
`;

const SCRIPT = `// scriptService: fills form fields with the customer's data.
/**
 * @param {ScriptCode.ScriptContext} context
 * @returns {ScriptCode.Rows}
 */
function callService(context) {
  var customerId = context.getFirstParameter('customerId');
  if (!customerId) return [];
  try {
    var r = api.rest.v1.get('crm', { path: 'customers/{id}', pathParams: { id: customerId } });
    Logger.info('customer found, segment {}', nonsensitive(r.body.segment));
    return [{ name: r.body.name, segment: r.body.segment }];
  } catch (e) {
    // an HTTP error has a status; anything else (timeout, connection) is rethrown
    if (e.status && e.status.code === 404) return [];
    throw e;
  }
}
`;

const VALIDATOR = `// validationScript: the customer number has 6 digits and the CRM knows it.
/**
 * @param {ScriptCode.ValidatorContext} context
 * @returns {ScriptCode.ValidationResult}
 */
function callService(context) {
  var customerId = context.getFirstParameter('customerId', '');
  if (!/^\\d{6}$/.test(customerId)) return [{ key: 'customerId.format' }];
  try {
    api.rest.v1.get('crm', { path: 'customers/{id}', pathParams: { id: customerId } });
    return [];
  } catch (e) {
    if (e.status && e.status.code === 404) return [{ key: 'customerId.unknown', parameters: [customerId] }];
    throw e;
  }
}
`;

const VALIDATOR_METADATA = `description: The customer number has 6 digits and belongs to a known customer.
messages:
  customerId.format: The customer number has 6 digits.
  customerId.unknown: There is no customer {0}.
`;

const TASK = `// scriptTask: opens a case in the CRM for the process's customer.
/**
 * @param {ScriptCode.TaskContext} context
 */
function callService(context) {
  var customerId = context.getVariable('customerId');
  try {
    var r = api.rest.v1.post('crm', { path: 'cases' }, { customerId: customerId, type: context.getVariable('caseType') || 'general' });
    context.complete({ caseId: String(r.body.id) });
  } catch (e) {
    if (e.status && e.status.code === 409) context.handleBpmnError('CASE_EXISTS', 'customer ' + customerId + ' already has an open case');
    else throw e;
  }
}
`;

const FORMATTER = `// formatter: a 9-digit phone number in groups of three ("600 700 800"),
// keeping the cursor after the same digit while the user types.
/**
 * @param {ScriptCode.FormatterInput} input
 * @returns {ScriptCode.FormatterResult}
 */
function formatText(input) {
  var text = input.textToFormat;
  var cursor = input.cursorPosition === null ? text.length : input.cursorPosition;
  var digitsBeforeCursor = text.slice(0, cursor).replace(/\\D/g, '').length;
  var digits = text.replace(/\\D/g, '').slice(0, 9);
  var formatted = (digits.match(/.{1,3}/g) || []).join(' ');
  var position = digitsBeforeCursor + Math.max(0, Math.ceil(digitsBeforeCursor / 3) - 1);
  return { formattedText: formatted, cursorPosition: Math.min(position, formatted.length) };
}
`;

const SCRIPT_TESTS = `${TEST_MODELINE}# Offline tests: \`scriptcode test\` runs them with the calls below answered
# instead of the network.
script: customer
cases:
  - name: returns the customer's name and segment
    input: { customerId: "100200" }
    calls:
      - service: crm
        method: GET
        path: customers/100200
        response:
          status: 200
          body: { name: Ada Lovelace, segment: VIP }
    expect:
      output: [{ name: Ada Lovelace, segment: VIP }]

  - name: no rows for an unknown customer
    input: { customerId: "999999" }
    calls:
      - service: crm
        path: customers/999999
        response: { status: 404, body: { error: not found } }
    expect:
      output: []

  - name: a timeout reaches the caller
    input: { customerId: "100200" }
    calls:
      - service: crm
        path: customers/100200
        error: READ_TIMEOUT
    expect:
      error: RestTimeoutError
`;

const VALIDATOR_TESTS = `${TEST_MODELINE}validator: customerId
cases:
  - name: a known customer is valid
    input: { customerId: "100200" }
    calls:
      - service: crm
        path: customers/100200
        response: { status: 200, body: { name: Ada Lovelace } }
    expect:
      valid: true
      errors: []

  - name: a malformed number is refused without a call
    input: { customerId: "12ab" }
    expect:
      valid: false
      errors: [customerId.format]

  - name: an unknown customer is refused with the message from customerId.yaml
    input: { customerId: "999999" }
    calls:
      - service: crm
        path: customers/999999
        response: { status: 404 }
    expect:
      valid: false
      errors:
        - key: customerId.unknown
          message: There is no customer 999999.
          parameters: ["999999"]
`;

const TASK_TESTS = `${TEST_MODELINE}task: openCase
cases:
  - name: opens a case and completes with its id
    variables: { customerId: "100200", caseType: complaint }
    processInstanceId: p-1
    calls:
      - service: crm
        method: POST
        path: cases
        body: { customerId: "100200", type: complaint }
        response: { status: 201, body: { id: 7 } }
    expect:
      outcome: complete
      variables: { caseId: "7" }

  - name: an open case is a BPMN error
    variables: { customerId: "100200" }
    calls:
      - service: crm
        method: POST
        path: cases
        response: { status: 409, body: { error: case exists } }
    expect:
      outcome: bpmnError
      errorCode: CASE_EXISTS
      cause: customer 100200 already has an open case

  - name: the CRM down is a failure
    variables: { customerId: "100200" }
    calls:
      - service: crm
        method: POST
        path: cases
        error: CONNECTION_REFUSED
    expect:
      outcome: failure
      error: { name: RestConnectionError, code: CONNECTION_REFUSED }
`;

const FORMATTER_TESTS = `${TEST_MODELINE}formatter: phone
cases:
  - name: groups digits in threes
    input: { textToFormat: "600700800", locale: pl-PL, cursorPosition: 9 }
    expect:
      formattedText: 600 700 800
      cursorPosition: 11

  - name: keeps the cursor after the same digit
    input: { textToFormat: "600 7008", locale: pl-PL, cursorPosition: 5 }
    expect:
      formattedText: 600 700 8
      cursorPosition: 5
`;

const JSCONFIG = `{
  // Editor support: completion and type checks for api.rest.v1, context, Logger, …
  // (scriptcode check runs the same type check from the command line).
  "compilerOptions": {
    "allowJs": true,
    "checkJs": true,
    "noEmit": true,
    "target": "ES2022",
    "lib": ["ES2023"],
    "types": [],
    "strict": false,
    // each script is its own scope at run time, as a module is here
    "moduleDetection": "force"
  },
  "include": ["scripts", "validators", "tasks", "formatters", "typings/scriptcode.d.ts"]
}
`;

const README = `# ScriptCode application

The \`scriptcode\` command comes from a ScriptCode checkout: run \`npm link\` in it once (or
\`npm install -g /path/to/scriptcode\`), and it is on your PATH. \`npm test\`, \`npm run check\` and
\`npm start\` (package.json) run the commands below.

* \`scriptcode test\` — the offline tests in tests/ (no network)
* \`scriptcode check\` — configuration, compile errors, service ids and types
* \`scriptcode run script customer --input '{"customerId": "100200"}' --trace\` — one real run
* \`scriptcode record script customer --input '{"customerId": "100200"}'\` — a real run written as a test case
* \`scriptcode serve\` — the HTTP API on http://127.0.0.1:8080 (POST /api/scripts/customer/run, …)

typings/scriptcode.d.ts is what editors complete api.rest.v1, context and Logger from
(wired in jsconfig.json); \`scriptcode init\` copied it from the scriptcode package.
schemas/*.schema.json describe scriptcode.yaml and tests/*.test.yaml for YAML editors
(the \`# yaml-language-server: $schema=…\` first line of each file points at them).
`;

/** The command comes from PATH (npm link), so the app has no dependency to install. */
const PACKAGE_JSON = `{
  "name": "scriptcode-app",
  "private": true,
  "description": "A ScriptCode application",
  "scripts": {
    "test": "scriptcode test",
    "check": "scriptcode check",
    "start": "scriptcode serve"
  }
}
`;

/** Files by path relative to the new application folder (the typings are copied separately). */
export const INIT_FILES: Readonly<Record<string, string>> = {
  'scriptcode.yaml': CONFIG,
  'scripts/customer.js': SCRIPT,
  'validators/customerId.js': VALIDATOR,
  'validators/customerId.yaml': VALIDATOR_METADATA,
  'tasks/openCase.js': TASK,
  'formatters/phone.js': FORMATTER,
  'tests/customer.test.yaml': SCRIPT_TESTS,
  'tests/customerId.test.yaml': VALIDATOR_TESTS,
  'tests/openCase.test.yaml': TASK_TESTS,
  'tests/phone.test.yaml': FORMATTER_TESTS,
  'jsconfig.json': JSCONFIG,
  'README.md': README,
  'package.json': PACKAGE_JSON,
};

export const INIT_TYPINGS = 'typings/scriptcode.d.ts';
