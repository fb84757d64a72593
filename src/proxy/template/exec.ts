import type { Arg, Command, IfNode, Node, Pipeline, RangeNode, TemplateCallNode } from './ast.js';
import { TemplateError } from './errors.js';
import { formatValue, goTypeName } from './format.js';
import { FUNCTIONS, type GoFunction, truth } from './functions.js';
import { MAX_STRING } from './go-strings.js';
import { checkArity, coerceLiteral, coerceValue, type GoType, paramType } from './signature.js';
import { isPlainObject, MISSING, TemplateObject } from './values.js';

export interface ExecLimits {
  /** Largest output, in UTF-16 code units. */
  maxOutput: number;
  /** Total `range` iterations in one execution. */
  maxRangeIterations: number;
}

/** What a template set (./template-set.ts) gives the executor beyond Oathkeeper's defaults. */
export interface ExecOptions {
  /** The function table; Oathkeeper's FUNCTIONS unless set. */
  functions?: ReadonlyMap<string, GoFunction>;
  /** Named templates `{{template "name"}}` runs; none unless set. */
  templates?: ReadonlyMap<string, Node[]>;
}

/** Deepest `{{template}}` nesting (a template that calls itself must end, not exhaust the stack). */
const MAX_TEMPLATE_DEPTH = 100;

function fail(message: string, pos?: number): never {
  throw new TemplateError('exec', message, pos);
}

/** No piped value (distinct from a piped nil). */
const NONE: unique symbol = Symbol('none');
type Final = unknown | typeof NONE;

/** Runs a parsed template against `data`. Throws TemplateError; the caller turns it into a result. */
export class Executor {
  private out = '';
  private iterations = 0;
  private vars: Array<{ name: string; value: unknown }>;
  private readonly functions: ReadonlyMap<string, GoFunction>;
  private templateDepth = 0;

  constructor(
    data: unknown,
    private readonly limits: ExecLimits,
    private readonly options: ExecOptions = {},
  ) {
    this.vars = [{ name: '$', value: dug(data) }];
    this.functions = options.functions ?? FUNCTIONS;
  }

  run(nodes: Node[], dot: unknown): string {
    this.walk(nodes, dug(dot));
    return this.out;
  }

  private write(s: string): void {
    if (this.out.length + s.length > this.limits.maxOutput) {
      throw new TemplateError('limit', `template output exceeds ${this.limits.maxOutput} characters`);
    }
    this.out += s;
  }

  private walk(nodes: Node[], dot: unknown): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          this.write(node.text);
          break;
        case 'action': {
          const value = this.pipeline(node.pipe, dot);
          if (node.pipe.vars.length > 0) break;
          if (node.escape !== undefined) this.write(node.escape(value));
          else this.write(value === MISSING ? '<no value>' : formatValue(value));
          break;
        }
        case 'template':
          this.callTemplate(node, dot);
          break;
        case 'if':
        case 'with':
          this.conditional(node, dot);
          break;
        case 'range':
          this.range(node, dot);
          break;
      }
    }
  }

  /** `{{template "name" pipeline}}`: the named template with the value as dot and only `$` in scope. */
  private callTemplate(node: TemplateCallNode, dot: unknown): void {
    const body = this.options.templates?.get(node.name);
    if (body === undefined) fail(`no such template "${node.name}"`, node.pos);
    if (++this.templateDepth > MAX_TEMPLATE_DEPTH)
      throw new TemplateError('limit', `templates nested deeper than ${MAX_TEMPLATE_DEPTH}`, node.pos);
    const value = node.pipe === undefined ? MISSING : this.pipeline(node.pipe, dot);
    const saved = this.vars;
    this.vars = [{ name: '$', value: dug(value) }];
    try {
      this.walk(body, dug(value));
    } finally {
      this.vars = saved;
      this.templateDepth--;
    }
  }

  private conditional(node: IfNode, dot: unknown): void {
    const mark = this.vars.length;
    const value = this.pipeline(node.pipe, dot);
    if (truth(value)) this.walk(node.then, node.type === 'with' ? value : dot);
    else if (node.otherwise !== undefined) this.walk(node.otherwise, dot);
    this.vars.length = mark;
  }

  private range(node: RangeNode, dot: unknown): void {
    const mark = this.vars.length;
    const { vars } = node.pipe;
    const value = this.pipeline({ ...node.pipe, vars: [] }, dot);
    const items = this.rangeItems(value, node.pos);
    for (const [key, element] of items) {
      if (++this.iterations > this.limits.maxRangeIterations) {
        throw new TemplateError(
          'limit',
          `template exceeds ${this.limits.maxRangeIterations} range iterations`,
        );
      }
      this.vars.length = mark;
      if (vars.length === 1) this.vars.push({ name: vars[0]!, value: element });
      if (vars.length === 2)
        this.vars.push({ name: vars[0]!, value: key }, { name: vars[1]!, value: element });
      this.walk(node.body, element);
    }
    this.vars.length = mark;
    if (items.length === 0 && node.otherwise !== undefined) this.walk(node.otherwise, dot);
  }

  private rangeItems(value: unknown, pos: number): Array<readonly [unknown, unknown]> {
    if (value === MISSING || value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((v, i) => [BigInt(i), v] as const);
    if (value instanceof TemplateObject) {
      const entries = value.entries();
      if (entries !== undefined) return [...entries];
    }
    if (isPlainObject(value))
      return Object.keys(value)
        .sort()
        .map((k) => [k, value[k]] as const);
    if (typeof value === 'bigint') {
      if (value > BigInt(this.limits.maxRangeIterations)) {
        throw new TemplateError(
          'limit',
          `template exceeds ${this.limits.maxRangeIterations} range iterations`,
        );
      }
      return Array.from({ length: Number(value) }, (_, i) => [BigInt(i), BigInt(i)] as const);
    }
    return fail(`range can't iterate over ${formatValue(value)}`, pos);
  }

  /** A pipeline's value; a nil interface becomes MISSING after each command, as Go digs into interfaces. */
  private pipeline(pipe: Pipeline, dot: unknown): unknown {
    let value: Final = NONE;
    for (const cmd of pipe.commands) value = dug(this.command(cmd, dot, value));
    if (pipe.assign) {
      const name = pipe.vars[0]!;
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]!.name === name) {
          this.vars[i]!.value = value;
          break;
        }
      }
    } else {
      for (const name of pipe.vars) this.vars.push({ name, value });
    }
    return value;
  }

  private command(cmd: Command, dot: unknown, final: Final): unknown {
    const [first, ...rest] = cmd.args;
    if (first === undefined) return fail('empty command', cmd.pos);
    switch (first.type) {
      case 'function':
        return this.call(first.name, rest, dot, final, first.pos);
      case 'field':
        return this.chain(dot, first.chain, rest, dot, final, first.pos);
      case 'variable':
        if (first.chain.length > 0)
          return this.chain(this.variable(first.name, first.pos), first.chain, rest, dot, final, first.pos);
        break;
      case 'pipe':
        if (first.chain.length > 0)
          return this.chain(this.pipeline(first.pipe, dot), first.chain, rest, dot, final, first.pos);
        break;
    }
    if (first.type === 'literal' && first.value === null) fail('nil is not a command', first.pos);
    if (rest.length > 0 || final !== NONE) fail("can't give argument to non-function", first.pos);
    return this.arg(first, dot);
  }

  private variable(name: string, pos: number): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return fail(`undefined variable: ${name}`, pos);
  }

  /** An operand's value (an argument, not the command's head). */
  private arg(arg: Arg, dot: unknown): unknown {
    switch (arg.type) {
      case 'dot':
        return dot;
      case 'literal':
        return arg.value;
      case 'field':
        return this.chain(dot, arg.chain, [], dot, NONE, arg.pos);
      case 'variable':
        return this.chain(this.variable(arg.name, arg.pos), arg.chain, [], dot, NONE, arg.pos);
      case 'pipe':
        return this.chain(this.pipeline(arg.pipe, dot), arg.chain, [], dot, NONE, arg.pos);
      case 'function':
        return this.call(arg.name, [], dot, NONE, arg.pos);
    }
  }

  /** Evaluates `.A.B.C`; the last link may be a method called with `args` (and the piped value). */
  private chain(
    receiver: unknown,
    chain: string[],
    args: Arg[],
    dot: unknown,
    final: Final,
    pos: number,
  ): unknown {
    let value = receiver;
    for (let i = 0; i < chain.length; i++) {
      const last = i === chain.length - 1;
      value = this.field(value, chain[i]!, last ? args : [], dot, last ? final : NONE, pos);
    }
    if (chain.length === 0 && (args.length > 0 || final !== NONE))
      fail("can't give argument to non-function", pos);
    return value;
  }

  /**
   * `.name` of `receiver`. As Oathkeeper sets `missingkey=zero`, a missing key of a plain object
   * (`map[string]interface{}`) is a nil interface (null), and a field of that is an error; a
   * field of MISSING (Go's invalid value) is MISSING.
   */
  private field(
    receiver: unknown,
    name: string,
    args: Arg[],
    dot: unknown,
    final: Final,
    pos: number,
  ): unknown {
    if (receiver === MISSING) return MISSING;
    const hasArgs = args.length > 0 || final !== NONE;
    if (receiver instanceof TemplateObject) {
      const method = receiver.method(name);
      if (method !== undefined) {
        const values = args.map((a) => nilIfMissing(this.arg(a, dot)));
        if (final !== NONE) values.push(nilIfMissing(final));
        return method(...values);
      }
      if (hasArgs) fail(`${name} has arguments but cannot be invoked as function`, pos);
      const value = receiver.field(name);
      if (value === MISSING) fail(`can't evaluate field ${name} in type ${receiver.typeName()}`, pos);
      return value;
    }
    if (hasArgs) fail(`${name} is not a method but has arguments`, pos);
    if (isPlainObject(receiver)) return Object.hasOwn(receiver, name) ? (receiver[name] ?? null) : null;
    if (receiver === null || receiver === undefined) fail(`nil pointer evaluating interface {}.${name}`, pos);
    return fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`, pos);
  }

  /** Calls a function as Go's evalCall does: arity, then each argument converted to its parameter type. */
  private call(name: string, args: Arg[], dot: unknown, final: Final, pos: number): unknown {
    if (name === 'and' || name === 'or') return this.logic(name, args, dot, final, pos);
    const fn = this.functions.get(name);
    if (fn === undefined) return fail(`function "${name}" not defined`, pos);
    at(pos, () => checkArity(name, fn, args.length + (final === NONE ? 0 : 1)));
    const values = args.map((a, i) => this.argument(a, paramType(fn, i), dot));
    if (final !== NONE) {
      const type = paramType(fn, args.length);
      values.push(at(pos, () => coerceValue(final, type)));
    }
    let result: unknown;
    try {
      result = fn.call(values);
    } catch (error) {
      if (error instanceof TemplateError && error.code === 'exec')
        throw new TemplateError('exec', `error calling ${name}: ${error.message}`, pos);
      if (error instanceof TemplateError) throw new TemplateError(error.code, error.message, pos);
      throw error;
    }
    if (typeof result === 'string' && result.length > MAX_STRING)
      throw new TemplateError('limit', `template value longer than ${MAX_STRING} characters`, pos);
    return result;
  }

  /** An argument converted to `type`: a constant as Go's evalArg, a computed value as validateType. */
  private argument(arg: Arg, type: GoType, dot: unknown): unknown {
    if (arg.type === 'literal') {
      const { value } = arg;
      return at(arg.pos, () => coerceLiteral(value, type));
    }
    const value = this.arg(arg, dot);
    return at(arg.pos, () => coerceValue(value, type));
  }

  /** `and` returns the first false argument or the last; `or` the first true or the last. Both short-circuit. */
  private logic(name: 'and' | 'or', args: Arg[], dot: unknown, final: Final, pos: number): unknown {
    const thunks: Array<() => unknown> = args.map((a) => () => this.arg(a, dot));
    if (final !== NONE) thunks.push(() => final);
    if (thunks.length === 0) fail(`wrong number of args for ${name}: want at least 1 got 0`, pos);
    let value: unknown;
    for (const thunk of thunks) {
      value = nilIfMissing(thunk());
      if (truth(value) === (name === 'or')) return value;
    }
    return value;
  }
}

function nilIfMissing(value: unknown): unknown {
  return value === MISSING ? null : value;
}

/** Go's dig into a nil interface after a command: nil becomes the invalid value. */
function dug(value: unknown): unknown {
  return value === null || value === undefined ? MISSING : value;
}

/** Runs `check`, giving a TemplateError it throws the position `pos`. */
function at<T>(pos: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TemplateError && error.offset === undefined)
      throw new TemplateError(error.code, error.message, pos);
    throw error;
  }
}
