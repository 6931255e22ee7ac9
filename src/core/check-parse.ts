/**
 * Portable check constraints: parses the text an engine prints for a CHECK (PostgreSQL's
 * pg_get_constraintdef, MySQL/MariaDB's CHECK_CLAUSE) into a {@link CheckExpr} when it only compares
 * columns with literals, and renders a CheckExpr back as SQL for any engine. Pure; no driver imports.
 */
import type { CheckExpr, CheckOp } from './column-model.js';

type Tok = { t: 'id'; v: string; quoted: boolean } | { t: 'str'; v: string } | { t: 'num'; v: string } | { t: 'p'; v: string };

const OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const FLIP: Record<CheckOp, CheckOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const KEYWORDS = new Set(['and', 'or', 'in', 'is', 'not', 'null', 'any', 'array']);

function tokenize(text: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\s+/.exec(rest))) i += m[0].length;
    else if ((m = /^(?:_[A-Za-z0-9]+\s*|[Ee])?'((?:[^'\\]|''|\\.)*)'/s.exec(rest))) {
      // MySQL prints a charset introducer (_utf8mb4'a') and escapes with backslashes; PostgreSQL doubles quotes.
      out.push({ t: 'str', v: m[1]!.replace(/''/g, "'").replace(/\\(.)/gs, '$1') });
      i += m[0].length;
    } else if ((m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest))) {
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if ((m = /^"((?:[^"]|"")+)"/.exec(rest))) {
      out.push({ t: 'id', v: m[1]!.replace(/""/g, '"'), quoted: true });
      i += m[0].length;
    } else if ((m = /^`((?:[^`]|``)+)`/.exec(rest))) {
      out.push({ t: 'id', v: m[1]!.replace(/``/g, '`'), quoted: true });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(rest))) {
      out.push({ t: 'id', v: m[0], quoted: false });
      i += m[0].length;
    } else if ((m = /^(::|<=|>=|<>|!=|[()[\],=<>])/.exec(rest))) {
      out.push({ t: 'p', v: m[0] });
      i += m[0].length;
    } else return null;
  }
  return out;
}

type Operand = { col: string } | { lit: string };

/** Recursive-descent parser over the tokens; every method returns null when the text is not portable. */
class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): CheckExpr | null {
    const e = this.or();
    return e && this.i === this.toks.length ? e : null;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isP(v: string): boolean {
    const t = this.peek();
    return t?.t === 'p' && t.v === v;
  }
  private isKw(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && !t.quoted && t.v.toLowerCase() === v;
  }

  private or(): CheckExpr | null {
    const parts = [this.and()];
    while (this.isKw('or')) {
      this.i++;
      parts.push(this.and());
    }
    if (parts.some((p) => p === null)) return null;
    return parts.length === 1 ? parts[0]! : { or: parts as CheckExpr[] };
  }

  private and(): CheckExpr | null {
    const parts = [this.unary()];
    while (this.isKw('and')) {
      this.i++;
      parts.push(this.unary());
    }
    if (parts.some((p) => p === null)) return null;
    return parts.length === 1 ? parts[0]! : { and: parts as CheckExpr[] };
  }

  private unary(): CheckExpr | null {
    const start = this.i;
    const c = this.comparison();
    if (c) return c;
    this.i = start;
    if (!this.isP('(')) return null;
    this.i++;
    const e = this.or();
    if (!e || !this.isP(')')) return null;
    this.i++;
    return e;
  }

  /** Skips `::type` casts (PostgreSQL prints literals and varchar columns cast). */
  private casts(): void {
    while (this.isP('::')) {
      this.i++;
      while (this.peek()?.t === 'id' && !KEYWORDS.has(this.peek()!.v.toLowerCase())) this.i++;
      if (this.isP('(')) {
        while (this.peek() && !this.isP(')')) this.i++;
        this.i++;
      }
      while (this.isP('[') && this.toks[this.i + 1]?.v === ']') this.i += 2;
    }
  }

  private operand(): Operand | null {
    const t = this.peek();
    let o: Operand | null = null;
    if (t?.t === 'p' && t.v === '(') {
      this.i++;
      o = this.operand();
      if (!o || !this.isP(')')) return null;
      this.i++;
    } else if (t?.t === 'id' && (t.quoted || !KEYWORDS.has(t.v.toLowerCase()))) {
      this.i++;
      if (this.isP('(')) return null; // a function call
      o = { col: t.v };
    } else if (t?.t === 'str' || t?.t === 'num') {
      this.i++;
      o = { lit: t.v };
    } else return null;
    this.casts();
    return o;
  }

  private literalList(close: string): string[] | null {
    const out: string[] = [];
    for (;;) {
      const o = this.operand();
      if (!o || !('lit' in o)) return null;
      out.push(o.lit);
      if (this.isP(',')) this.i++;
      else if (this.isP(close)) {
        this.i++;
        return out;
      } else return null;
    }
  }

  /** `ARRAY[…]` possibly wrapped in parentheses and casts, as PostgreSQL prints `= ANY (…)`. */
  private arrayLiteral(): string[] | null {
    if (this.isP('(')) {
      this.i++;
      const a = this.arrayLiteral();
      if (!a || !this.isP(')')) return null;
      this.i++;
      this.casts();
      return a;
    }
    if (!this.isKw('array')) return null;
    this.i++;
    if (!this.isP('[')) return null;
    this.i++;
    const list = this.literalList(']');
    this.casts();
    return list;
  }

  private comparison(): CheckExpr | null {
    const left = this.operand();
    if (!left) return null;
    if (this.isKw('is')) {
      this.i++;
      if (!('col' in left)) return null;
      const not = this.isKw('not');
      if (not) this.i++;
      if (!this.isKw('null')) return null;
      this.i++;
      return not ? { column: left.col, notNull: true } : { column: left.col, isNull: true };
    }
    if (this.isKw('in') && 'col' in left) {
      this.i++;
      if (!this.isP('(')) return null;
      this.i++;
      const values = this.literalList(')');
      return values ? { column: left.col, in: values } : null;
    }
    const t = this.peek();
    if (t?.t !== 'p' || !OPS.has(t.v)) return null;
    this.i++;
    const op: CheckOp = t.v === '!=' ? '<>' : (t.v as CheckOp);
    if (op === '=' && this.isKw('any') && 'col' in left) {
      this.i++;
      if (!this.isP('(')) return null;
      this.i++;
      const values = this.arrayLiteral();
      if (!values || !this.isP(')')) return null;
      this.i++;
      return { column: left.col, in: values };
    }
    const right = this.operand();
    if (!right) return null;
    if ('col' in left && 'lit' in right) return { column: left.col, op, literal: right.lit };
    if ('lit' in left && 'col' in right) return { column: right.col, op: FLIP[op], literal: left.lit };
    return null;
  }
}

/**
 * The portable form of a check's text, or null when it holds anything but comparisons of `columns`
 * with literals, IN lists, IS [NOT] NULL, and AND/OR of those. A leading `CHECK` keyword is accepted.
 */
export function parseCheck(text: string, columns: ReadonlySet<string>): CheckExpr | null {
  const body = text.trim().replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, '');
  const toks = tokenize(body);
  if (!toks) return null;
  const e = new Parser(toks).parse();
  return e && checkColumns(e).every((c) => columns.has(c)) ? e : null;
}

/** The columns a check reads. */
export function checkColumns(e: CheckExpr): string[] {
  if ('and' in e) return e.and.flatMap(checkColumns);
  if ('or' in e) return e.or.flatMap(checkColumns);
  return [e.column];
}

/** SQL for a check on any engine, given its identifier and literal quoting. */
export function checkSql(e: CheckExpr, quoteId: (s: string) => string, lit: (s: string) => string): string {
  if ('and' in e) return e.and.map((x) => `(${checkSql(x, quoteId, lit)})`).join(' AND ');
  if ('or' in e) return e.or.map((x) => `(${checkSql(x, quoteId, lit)})`).join(' OR ');
  if ('notNull' in e) return `${quoteId(e.column)} IS NOT NULL`;
  if ('isNull' in e) return `${quoteId(e.column)} IS NULL`;
  if ('in' in e) return `${quoteId(e.column)} IN (${e.in.map(lit).join(', ')})`;
  return `${quoteId(e.column)} ${e.op} ${lit(e.literal)}`;
}
