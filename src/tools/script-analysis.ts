// What `check` reads from a script's syntax tree (TypeScript's parser, which
// reads JavaScript too): the entry points it defines at its top level, and the
// literal service ids it passes to api.rest.v1 —
//   api.rest.v1.get('crm', …)          (get, delete, post, put, patch)
//   api.rest.v1.request({ serviceId: 'crm', … })
//   const rest = api.rest.v1; rest.get('crm', …)
// Ids computed at run time cannot be checked and are skipped. Likewise the
// literal names given to context.callService / context.validate (on `context`
// or on whatever the entry point names its first parameter).
import ts from 'typescript';

export interface ServiceIdUse {
  id: string;
  /** 1-based, of the string literal */
  line: number;
  column: number;
}

/** A literal script name given to context.callService / context.validate. */
export interface ScriptCallUse {
  method: 'callService' | 'validate';
  name: string;
  /** 1-based, of the string literal */
  line: number;
  column: number;
}

export interface ScriptAnalysis {
  /** names defined at the top level (functions, variables, assignments) */
  topLevel: Set<string>;
  serviceIds: ServiceIdUse[];
  scriptCalls: ScriptCallUse[];
}

const CALL_METHODS = new Set(['get', 'delete', 'post', 'put', 'patch']);

function isApiRestV1(node: ts.Expression, aliases: ReadonlySet<string>): boolean {
  const e = skipParens(node);
  if (ts.isIdentifier(e)) return aliases.has(e.text);
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'v1') return false;
  const rest = skipParens(e.expression);
  return ts.isPropertyAccessExpression(rest) && rest.name.text === 'rest' && ts.isIdentifier(skipParens(rest.expression)) &&
    (skipParens(rest.expression) as ts.Identifier).text === 'api';
}

function skipParens(node: ts.Expression): ts.Expression {
  let e = node;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

export function analyzeScript(text: string, fileName: string, language: 'js' | 'ts'): ScriptAnalysis {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, language === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const topLevel = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) topLevel.add(statement.name.text);
    else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) topLevel.add(d.name.text);
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(statement.expression.left)) {
      topLevel.add(statement.expression.left.text);
    }
  }

  // what the context is called: `context`, or the entry point's first parameter
  const contexts = new Set(['context']);
  for (const statement of file.statements) {
    const first = ts.isFunctionDeclaration(statement) && statement.name?.text === 'callService' ? statement.parameters[0] : undefined;
    if (first && ts.isIdentifier(first.name)) contexts.add(first.name.text);
  }

  const aliases = new Set<string>();
  const serviceIds: ServiceIdUse[] = [];
  const scriptCalls: ScriptCallUse[] = [];
  const position = (node: ts.Node) => {
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return { line: line + 1, column: character + 1 };
  };
  const use = (node: ts.Node, id: string) => serviceIds.push({ id, ...position(node) });
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(skipParens(node.expression.expression)) &&
      contexts.has((skipParens(node.expression.expression) as ts.Identifier).text)) {
      const method = node.expression.name.text;
      const name = literalText(node.arguments[0]);
      if ((method === 'callService' || method === 'validate') && name !== undefined) scriptCalls.push({ method, name, ...position(node.arguments[0]!) });
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isApiRestV1(node.initializer, aliases)) {
      aliases.add(node.name.text);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && isApiRestV1(node.expression.expression, aliases)) {
      const method = node.expression.name.text;
      const first = node.arguments[0];
      if (CALL_METHODS.has(method)) {
        const id = literalText(first);
        if (id !== undefined) use(first!, id);
      } else if (method === 'request' && first && ts.isObjectLiteralExpression(first)) {
        for (const prop of first.properties) {
          if (ts.isPropertyAssignment(prop) && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) && prop.name.text === 'serviceId') {
            const id = literalText(prop.initializer);
            if (id !== undefined) use(prop.initializer, id);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { topLevel, serviceIds, scriptCalls };
}

/** Where each kind's runtime looks for its entry point. */
export const ENTRY_POINTS = {
  scriptService: 'callService(context)',
  validationScript: 'callService(context)',
  scriptTask: 'callService(context, task)',
  formatter: 'formatText(input)',
} as const;
