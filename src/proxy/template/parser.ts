import type { Arg, Command, IfNode, Node, Pipeline, RangeNode, TemplateCallNode } from './ast.js';
import { TemplateError } from './errors.js';
import type { Token } from './lexer.js';

/** Deepest nesting of blocks and parentheses accepted (a hostile template must not blow the stack). */
export const MAX_NESTING = 64;

type Terminator = 'end' | 'else' | 'eof';

function fail(message: string, pos: number): never {
  throw new TemplateError('parse', message, pos);
}

/** Parses lexed tokens into a tree; `isFunction` tells known function names apart from typos. */
export function parse(tokens: Token[], isFunction: (name: string) => boolean): Node[] {
  return parseTopLevel(tokens, isFunction, undefined);
}

/**
 * Parses one file of a template set (Go's `Template.Parse` for html/template and text/template
 * sets): `{{define}}` (top level only), `{{template}}` and `{{block}}` are allowed, and each
 * `{{define "name"}}` / `{{block "name"}}` body is added to `defines` (in source order).
 */
export function parseSetFile(
  tokens: Token[],
  isFunction: (name: string) => boolean,
  defines: Array<{ name: string; nodes: Node[] }>,
): Node[] {
  return parseTopLevel(tokens, isFunction, defines);
}

/** The whole token list as one list of nodes; a stray `{{end}}` or `{{else}}` is an error. */
function parseTopLevel(
  tokens: Token[],
  isFunction: (name: string) => boolean,
  defines: Array<{ name: string; nodes: Node[] }> | undefined,
): Node[] {
  const { nodes, end } = new Parser(tokens, isFunction, defines).list(0);
  if (end.kind !== 'eof') fail(`unexpected {{${end.kind}}}`, end.pos);
  return nodes;
}

interface ListEnd {
  kind: Terminator;
  pos: number;
  /** For `{{else if ...}}` / `{{else with ...}}`: the keyword that follows `else`. */
  elseKeyword?: 'if' | 'with';
}

class Parser {
  private i = 0;
  /** Variables in scope, innermost last; `$` is always defined. */
  private readonly vars: string[] = ['$'];

  constructor(
    private readonly tokens: Token[],
    private readonly isFunction: (name: string) => boolean,
    /** Where `{{define}}` bodies go; undefined when define/template/block are refused (Oathkeeper). */
    private readonly defines: Array<{ name: string; nodes: Node[] }> | undefined,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (t === undefined) fail('unexpected end of template', this.tokens.at(-1)?.pos ?? 0);
    return t;
  }

  list(depth: number): { nodes: Node[]; end: ListEnd } {
    if (depth > MAX_NESTING) fail('template nested too deeply', this.peek()?.pos ?? 0);
    const nodes: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t === undefined) return { nodes, end: { kind: 'eof', pos: this.tokens.at(-1)?.pos ?? 0 } };
      if (t.type === 'text') {
        this.i++;
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      if (t.type !== 'open') fail('unexpected token', t.pos);
      const kw = this.peek(1);
      const keyword = kw?.type === 'identifier' ? kw.value : undefined;
      if (keyword === 'end') {
        this.i += 2;
        this.expectClose();
        return { nodes, end: { kind: 'end', pos: t.pos } };
      }
      if (keyword === 'else') {
        this.i += 2;
        const after = this.peek();
        if (after?.type === 'identifier' && (after.value === 'if' || after.value === 'with')) {
          this.i++;
          return { nodes, end: { kind: 'else', pos: t.pos, elseKeyword: after.value } };
        }
        this.expectClose();
        return { nodes, end: { kind: 'else', pos: t.pos } };
      }
      if (keyword === 'if' || keyword === 'with') {
        this.i += 2;
        nodes.push(this.conditional(keyword, t.pos, depth));
        continue;
      }
      if (keyword === 'range') {
        this.i += 2;
        nodes.push(this.range(t.pos, depth));
        continue;
      }
      if (this.defines !== undefined && (keyword === 'define' || keyword === 'block')) {
        if (keyword === 'define' && depth > 0) fail('{{define}} is only allowed at the top level', t.pos);
        this.i += 2;
        const call = this.defineBody(keyword, t.pos, depth);
        if (call !== undefined) nodes.push(call);
        continue;
      }
      if (this.defines !== undefined && keyword === 'template') {
        this.i += 2;
        nodes.push(this.templateCall(t.pos, depth));
        continue;
      }
      if (
        keyword === 'define' ||
        keyword === 'template' ||
        keyword === 'block' ||
        keyword === 'break' ||
        keyword === 'continue'
      ) {
        fail(`{{${keyword}}} is not supported`, t.pos);
      }
      this.i++;
      const pipe = this.pipeline(true, depth);
      this.expectClose();
      nodes.push({ type: 'action', pipe, pos: t.pos });
    }
  }

  /** After `{{if` / `{{with` (or `{{else if`): pipeline, then list, then else / end. Variables scope to the block. */
  private conditional(type: 'if' | 'with', pos: number, depth: number): IfNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(true, depth);
    this.expectClose();
    const { nodes: then, end } = this.list(depth + 1);
    let otherwise: Node[] | undefined;
    if (end.kind === 'else') {
      if (end.elseKeyword !== undefined) {
        // `{{else if x}}...{{end}}` closes the outer block too: the nested one consumes the `end`.
        otherwise = [this.conditional(end.elseKeyword, end.pos, depth + 1)];
      } else {
        const rest = this.list(depth + 1);
        if (rest.end.kind !== 'end') fail(`expected {{end}} for {{${type}}}`, pos);
        otherwise = rest.nodes;
      }
    } else if (end.kind !== 'end') {
      fail(`unclosed {{${type}}}`, pos);
    }
    this.vars.length = mark;
    return { type, pipe, then, otherwise, pos };
  }

  private range(pos: number, depth: number): RangeNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(true, depth);
    if (pipe.vars.length > 2) fail('too many declarations in range', pos);
    this.expectClose();
    const { nodes: body, end } = this.list(depth + 1);
    let otherwise: Node[] | undefined;
    if (end.kind === 'else') {
      if (end.elseKeyword !== undefined) fail('{{else if}} is not allowed in {{range}}', end.pos);
      const rest = this.list(depth + 1);
      if (rest.end.kind !== 'end') fail('expected {{end}} for {{range}}', pos);
      otherwise = rest.nodes;
    } else if (end.kind !== 'end') {
      fail('unclosed {{range}}', pos);
    }
    this.vars.length = mark;
    return { type: 'range', pipe, body, otherwise, pos };
  }

  /** The quoted name after `{{define` / `{{template` / `{{block`. */
  private templateName(keyword: string, pos: number): string {
    const t = this.next();
    if (t.type !== 'string') fail(`name of {{${keyword}}} must be a quoted string`, pos);
    return t.value;
  }

  /** `{{template "name" [pipeline]}}`. */
  private templateCall(pos: number, depth: number): TemplateCallNode {
    const name = this.templateName('template', pos);
    let pipe: Pipeline | undefined;
    if (this.peek()?.type !== 'close') pipe = this.pipeline(false, depth);
    this.expectClose();
    return { type: 'template', name, pipe, pos };
  }

  /**
   * `{{define "name"}}…{{end}}` (adds the body, returns nothing) or `{{block "name" pipeline}}
   * …{{end}}` (adds the body, returns the call). Defined bodies see only `$` (Go starts each
   * template with a fresh variable scope).
   */
  private defineBody(keyword: 'define' | 'block', pos: number, depth: number): TemplateCallNode | undefined {
    const name = this.templateName(keyword, pos);
    let pipe: Pipeline | undefined;
    if (keyword === 'block') pipe = this.pipeline(false, depth);
    this.expectClose();
    const outer = this.vars.splice(1);
    const { nodes, end } = this.list(depth + 1);
    this.vars.splice(1, this.vars.length - 1, ...outer);
    if (end.kind !== 'end') fail(`unclosed {{${keyword}}}`, pos);
    this.defines?.push({ name, nodes });
    return keyword === 'block' ? { type: 'template', name, pipe, pos } : undefined;
  }

  private expectClose(): void {
    const t = this.next();
    if (t.type !== 'close') fail('expected }}', t.pos);
  }

  /** `[$x[, $y] :=|=] command | command ...`, up to `}}` or `)`. */
  private pipeline(allowDecl: boolean, depth: number): Pipeline {
    if (depth > MAX_NESTING) fail('template nested too deeply', this.peek()?.pos ?? 0);
    const start = this.peek()?.pos ?? 0;
    const vars: string[] = [];
    let assign = false;
    if (allowDecl && this.peek()?.type === 'variable') {
      const save = this.i;
      const names: string[] = [];
      for (;;) {
        const v = this.peek();
        if (v?.type !== 'variable') break;
        names.push(v.value);
        this.i++;
        if (this.peek()?.type === 'comma') {
          this.i++;
          continue;
        }
        break;
      }
      const op = this.peek();
      if (op?.type === 'declare' || (op?.type === 'assign' && names.length === 1)) {
        this.i++;
        assign = op.type === 'assign';
        for (const name of names) {
          if (assign && !this.vars.includes(name)) fail(`undefined variable "${name}"`, op.pos);
          if (name === '$') fail('cannot declare $', op.pos);
        }
        vars.push(...names);
      } else {
        this.i = save;
      }
    }
    const commands: Command[] = [];
    for (;;) {
      commands.push(this.command(depth));
      if (this.peek()?.type === 'pipe') {
        this.i++;
        continue;
      }
      break;
    }
    // Declared variables become visible after the pipeline.
    if (!assign) this.vars.push(...vars);
    return { vars, assign, commands, pos: start };
  }

  private command(depth: number): Command {
    const args: Arg[] = [];
    const pos = this.peek()?.pos ?? 0;
    for (;;) {
      const t = this.peek();
      if (t === undefined || t.type === 'close' || t.type === 'rparen' || t.type === 'pipe') break;
      args.push(this.operand(depth));
    }
    if (args.length === 0) fail('missing value for command', pos);
    return { args, pos };
  }

  private operand(depth: number): Arg {
    const t = this.next();
    switch (t.type) {
      case 'field': {
        const chain = [t.value];
        this.fieldChain(chain, t.pos + 1 + t.value.length);
        return { type: 'field', chain, pos: t.pos };
      }
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'variable': {
        if (!this.vars.includes(t.value)) fail(`undefined variable "${t.value}"`, t.pos);
        const chain: string[] = [];
        this.fieldChain(chain, t.pos + t.value.length);
        return { type: 'variable', name: t.value, chain, pos: t.pos };
      }
      case 'identifier':
        if (!this.isFunction(t.value)) fail(`function "${t.value}" not defined`, t.pos);
        return { type: 'function', name: t.value, pos: t.pos };
      case 'string':
      case 'number':
      case 'bool':
        return { type: 'literal', value: t.value, pos: t.pos };
      case 'nil':
        return { type: 'literal', value: null, pos: t.pos };
      case 'lparen': {
        const pipe = this.pipeline(false, depth + 1);
        const close = this.next();
        if (close.type !== 'rparen') fail('unclosed left paren', t.pos);
        const chain: string[] = [];
        this.fieldChain(chain, close.pos + 1);
        return { type: 'pipe', pipe, chain, pos: t.pos };
      }
      default:
        return fail('unexpected token in operand', t.pos);
    }
  }

  /** Consumes `.A.B` written directly after an operand (`$x.A`, `(...).A`); a space ends the chain. */
  private fieldChain(chain: string[], end: number): void {
    let at = end;
    for (;;) {
      const t = this.peek();
      if (t?.type !== 'field' || t.pos !== at) return;
      chain.push(t.value);
      at = t.pos + 1 + t.value.length;
      this.i++;
    }
  }
}
