/**
 * Text → composed YAML documents, as yaml's parseAllDocuments does, with the guards hostile
 * input needs: a nesting limit enforced while the parser runs, plain YAML 1.2 types only,
 * and no duplicate-key check of yaml's own (see tree-scan.ts for why and for its replacement).
 */
import { Composer, Lexer, Parser, type Document, type LineCounter } from 'yaml';

/**
 * Real manifests nest about a dozen levels. yaml's composer and toJS recurse once per level,
 * so deeper input only fails later, after overflowing the stack, and 100k levels take seconds
 * just to parse: stopping the parser at this depth keeps such a file cheap.
 */
export const MAX_NESTING = 100;

const COMPOSE_OPTIONS = {
  // even under `%YAML 1.1`: no !!set, !!omap, !!binary, !!timestamp or `<<` merges, whose
  // values (Set, Map, Uint8Array, Date) would pass a schema check as "object" and lose data
  schema: 'core',
  resolveKnownTags: false,
  // quadratic in yaml (every key compared with every earlier one): tree-scan.ts does it linearly
  uniqueKeys: false,
  // yaml's warnings go to process.emitWarning, i.e. raw onto the user's stderr; the ones that
  // matter (unknown tags) are collected from doc.warnings and reported with their position
  logLevel: 'error',
} as const;

export type Stream = { docs: Document.Parsed[] } | { tooDeepAt: number };

export function composeStream(text: string, lineCounter: LineCounter): Stream {
  const parser = new Parser(lineCounter.addNewLine);
  // Parser.parse reports the first line itself; driving next() directly, that is ours to do
  lineCounter.addNewLine(0);
  const guard = { tooDeepAt: undefined as number | undefined };
  const docs = Array.from(new Composer(COMPOSE_OPTIONS).compose(tokens(text, parser, guard)));
  return guard.tooDeepAt === undefined ? { docs } : { tooDeepAt: guard.tooDeepAt };
}

/** Parser.parse, lexeme by lexeme, stopping as soon as the open collections pass the limit. */
function* tokens(text: string, parser: Parser, guard: { tooDeepAt?: number }) {
  for (const lexeme of new Lexer().lex(text)) {
    const start = parser.offset;
    yield* parser.next(lexeme);
    if (parser.stack.length > MAX_NESTING) {
      guard.tooDeepAt = start;
      return;
    }
  }
  yield* parser.end();
}
