/**
 * IAM actions from source: which AWS SDK commands an adapter entry point (a class method or exported function
 * in core/adapters/) can send, read from the code with the TypeScript parser.
 *
 * An entry's commands are the `new XCommand(...)` in its body, plus those of the same-class methods it calls
 * (`this.m()`), the same-file functions it calls, and the functions it imports from sibling adapter files.
 * `XCommand` counts only when the file imports it from an `@aws-sdk/*` package; the package names the IAM
 * service (client-sfn → states:…) and lib-dynamodb's document commands map to DynamoDB's item actions.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";

export const ADAPTERS_DIR = resolve(import.meta.dirname, "../../../core/adapters");

/** @aws-sdk package → IAM service prefix. */
export const SDK_SERVICE_PREFIX: Record<string, string> = {
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/lib-dynamodb": "dynamodb",
  "@aws-sdk/client-sqs": "sqs",
  "@aws-sdk/client-s3": "s3",
  "@aws-sdk/client-scheduler": "scheduler",
  "@aws-sdk/client-sfn": "states",
  "@aws-sdk/client-cognito-identity-provider": "cognito-idp",
  "@aws-sdk/client-ses": "ses",
  "@aws-sdk/client-sesv2": "ses",
  "@aws-sdk/client-eventbridge": "events",
  "@aws-sdk/client-codepipeline": "codepipeline",
  "@aws-sdk/client-eks": "eks",
  "@aws-sdk/client-sts": "sts",
  "@aws-sdk/client-lambda": "lambda",
  "@aws-sdk/client-resource-groups-tagging-api": "tag",
};

/** lib-dynamodb document commands → the DynamoDB API action they call. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: "GetItem",
  PutCommand: "PutItem",
  UpdateCommand: "UpdateItem",
  DeleteCommand: "DeleteItem",
  QueryCommand: "Query",
  ScanCommand: "Scan",
  BatchGetCommand: "BatchGetItem",
  BatchWriteCommand: "BatchWriteItem",
};

/** `GetItemCommand` from `@aws-sdk/client-dynamodb` → `dynamodb:GetItem`. */
export function iamAction(pkg: string, command: string): string {
  const prefix = SDK_SERVICE_PREFIX[pkg];
  if (!prefix) throw new Error(`no IAM service prefix known for ${pkg} (add it to SDK_SERVICE_PREFIX)`);
  const operation =
    pkg === "@aws-sdk/lib-dynamodb" ? DOCUMENT_COMMANDS[command] : command.replace(/Command$/, "");
  if (!operation) throw new Error(`no DynamoDB action known for ${pkg} ${command}`);
  return `${prefix}:${operation}`;
}

/** The SDK commands a module imports (value imports named `*Command`), as IAM actions. */
export function importedSdkActions(source: ts.SourceFile): Map<string, string> {
  const actions = new Map<string, string>();
  for (const stmt of source.statements) {
    if (!ts.isImportDeclaration(stmt) || stmt.importClause?.isTypeOnly) continue;
    const pkg = (stmt.moduleSpecifier as ts.StringLiteral).text;
    if (!pkg.startsWith("@aws-sdk/")) continue;
    const named = stmt.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    for (const el of named.elements) {
      const imported = (el.propertyName ?? el.name).text;
      if (el.isTypeOnly || !imported.endsWith("Command")) continue;
      actions.set(el.name.text, iamAction(pkg, imported));
    }
  }
  return actions;
}

/** IAM actions of every SDK command a (compiled or source) module imports: for libraries we do not parse. */
export function moduleImportActions(path: string): Set<string> {
  return new Set(importedSdkActions(parse(path)).values());
}

interface ParsedAdapter {
  path: string;
  commands: Map<string, string>;
  /** Local name → [adapter file, exported name] for imports from sibling adapter files. */
  siblings: Map<string, [string, string]>;
  functions: Map<string, ts.Node>;
  classes: Map<string, Map<string, ts.Node>>;
}

const parsed = new Map<string, ParsedAdapter>();

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
}

function adapter(path: string): ParsedAdapter {
  const cached = parsed.get(path);
  if (cached) return cached;
  const source = parse(path);
  const result: ParsedAdapter = {
    path,
    commands: importedSdkActions(source),
    siblings: new Map(),
    functions: new Map(),
    classes: new Map(),
  };
  for (const stmt of source.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
      const named = stmt.importClause?.namedBindings;
      if (spec.startsWith("./") && named && ts.isNamedImports(named)) {
        const file = join(dirname(path), spec.replace(/\.js$/, ".ts"));
        for (const el of named.elements)
          result.siblings.set(el.name.text, [file, (el.propertyName ?? el.name).text]);
      }
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      result.functions.set(stmt.name.text, stmt);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isArrowFunction(d.initializer)) {
          result.functions.set(d.name.text, d.initializer);
        }
      }
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      const members = new Map<string, ts.Node>();
      for (const m of stmt.members) {
        if (ts.isConstructorDeclaration(m)) members.set("constructor", m);
        else if (
          (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) &&
          m.name &&
          ts.isIdentifier(m.name)
        ) {
          members.set(m.name.text, m);
        }
      }
      result.classes.set(stmt.name.text, members);
    }
  }
  parsed.set(path, result);
  return result;
}

/**
 * IAM actions an adapter entry point can call. `entry` is `<file>#<Class>.<method>` or `<file>#<function>`,
 * the file relative to core/adapters/ (e.g. `tenant-store.ts#TenantStore.markStep`); `<file>#*` is every
 * command the file imports (for an adapter a function uses nearly all of).
 */
export function entryActions(entry: string): Set<string> {
  const [file, name] = entry.split("#");
  if (!file || !name) throw new Error(`entry "${entry}" is not <file>#<Class.method|function|*>`);
  const a = adapter(join(ADAPTERS_DIR, file));
  if (name === "*") return new Set(a.commands.values());
  const [cls, method] = name.includes(".") ? name.split(".") : [undefined, name];
  const node = cls ? a.classes.get(cls)?.get(method!) : a.functions.get(method!);
  if (!node) throw new Error(`${entry}: no such ${cls ? "method" : "function"} in core/adapters/${file}`);
  const actions = new Set<string>();
  visit(a, cls, node, actions, new Set());
  return actions;
}

function visit(
  a: ParsedAdapter,
  cls: string | undefined,
  node: ts.Node,
  out: Set<string>,
  seen: Set<ts.Node>,
): void {
  if (seen.has(node)) return;
  seen.add(node);
  const walk = (n: ts.Node): void => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
      const action = a.commands.get(n.expression.text);
      if (action) out.add(action);
    }
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (
        ts.isPropertyAccessExpression(callee) &&
        callee.expression.kind === ts.SyntaxKind.ThisKeyword &&
        cls
      ) {
        const target = a.classes.get(cls)?.get(callee.name.text);
        if (target) visit(a, cls, target, out, seen);
      } else if (ts.isIdentifier(callee)) {
        const local = a.functions.get(callee.text);
        const sibling = a.siblings.get(callee.text);
        if (local) visit(a, undefined, local, out, seen);
        else if (sibling) {
          const other = adapter(sibling[0]);
          const target = other.functions.get(sibling[1]);
          if (target) visit(other, undefined, target, out, seen);
        }
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(node);
}
