import { findAnnotation, Verifier } from '../ir/index.js';

export { findAnnotation };

/** A verifier parsed from an annotation, or why it could not be. */
export type BindingResult =
  | { readonly ok: true; readonly verifier: Verifier }
  | { readonly ok: false; readonly message: string };

const OPTION = /\s+(expect-exit|exit|match|sha256)=("(?:[^"\\]|\\.)*"|\S+)/g;

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\"/g, '"') : value;
}

/**
 * Parses the body of a `<!-- verify: ... -->` annotation. Forms:
 * `command \`CMD\` [expect-exit=N] [match="REGEX"]`, `file PATH [sha256=HEX]`,
 * `metric METRIC-ID`, `manual [@approver]`, or a JSON object in the Verifier schema.
 */
export function parseAnnotation(
  body: string,
  metricTargets?: ReadonlyMap<string, string>,
): BindingResult {
  const text = body.trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `verifier JSON does not parse: ${(error as Error).message}` };
    }
    return fromUnknown(json);
  }
  const [kind = '', ...rest] = text.split(/\s+/);
  const tail = text.slice(kind.length).trim();
  switch (kind) {
    case 'command': {
      const match = /^`([^`]+)`|^"((?:[^"\\]|\\.)+)"/.exec(tail);
      if (match === null) {
        return {
          ok: false,
          message: 'a command verifier needs its command in backticks: command `npm test`',
        };
      }
      const command = match[1] ?? (JSON.parse(`"${match[2] ?? ''}"`) as string);
      const options = new Map<string, string>();
      for (const m of tail.slice(match[0].length).matchAll(OPTION)) {
        options.set(m[1] === 'exit' ? 'expect-exit' : m[1]!, unquote(m[2]!));
      }
      const exit = options.get('expect-exit');
      if (exit !== undefined && !/^-?\d+$/.test(exit)) {
        return { ok: false, message: `expect-exit must be an integer, got ${exit}` };
      }
      const outputMatch = options.get('match');
      if (outputMatch !== undefined) {
        try {
          new RegExp(outputMatch);
        } catch (error) {
          return {
            ok: false,
            message: `match is not a valid regular expression: ${(error as Error).message}`,
          };
        }
      }
      return fromUnknown({
        kind: 'command',
        command,
        expectExit: exit === undefined ? 0 : Number(exit),
        ...(outputMatch === undefined ? {} : { outputMatch }),
      });
    }
    case 'file': {
      const path = rest[0];
      if (path === undefined || path.includes('='))
        return { ok: false, message: 'a file verifier needs a path: file reports/out.md' };
      const sha = /sha256=([0-9a-fA-F]{64})/.exec(tail)?.[1];
      return fromUnknown({
        kind: 'file',
        path: unquote(path),
        ...(sha === undefined ? {} : { sha256: sha.toLowerCase() }),
      });
    }
    case 'metric': {
      const metric = rest[0];
      if (metric === undefined)
        return { ok: false, message: 'a metric verifier needs a metric ID: metric p99-latency' };
      const target = metricTargets?.get(metric) ?? rest.slice(1).join(' ');
      return fromUnknown({ kind: 'metric', metric, target });
    }
    case 'manual': {
      const approver = rest[0]?.replace(/^@/, '');
      return fromUnknown({ kind: 'manual', ...(approver === undefined ? {} : { approver }) });
    }
    default:
      return {
        ok: false,
        message: `unknown verifier kind '${kind}': use command, file, metric or manual`,
      };
  }
}

/** Validates a verifier definition from JSON (an annotation or a sidecar file entry). */
export function fromUnknown(value: unknown): BindingResult {
  const parsed = Verifier.safeParse(value);
  if (parsed.success) return { ok: true, verifier: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    message: `invalid verifier${issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`}`,
  };
}

/** Per-criterion verifier bindings from a sidecar file: `{ "<criterion-id>": <verifier> }`. */
export function parseSidecar(json: unknown): {
  bindings: Map<string, Verifier>;
  errors: Array<{ id: string; message: string }>;
} {
  const bindings = new Map<string, Verifier>();
  const errors: Array<{ id: string; message: string }> = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    errors.push({
      id: '(root)',
      message: 'the verifier file must be a JSON object keyed by criterion ID',
    });
    return { bindings, errors };
  }
  for (const [id, value] of Object.entries(json as Record<string, unknown>)) {
    const result = fromUnknown(value);
    if (result.ok) bindings.set(id, result.verifier);
    else errors.push({ id, message: result.message });
  }
  return { bindings, errors };
}
