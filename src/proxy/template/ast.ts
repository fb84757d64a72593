/** The parse tree of a template. */

export type Node = TextNode | ActionNode | IfNode | RangeNode | TemplateCallNode;

export interface TextNode {
  type: 'text';
  text: string;
}

export interface ActionNode {
  type: 'action';
  pipe: Pipeline;
  pos: number;
  /**
   * html/template's escaping for this action's context (set by ./html-escape.ts, never by the
   * parser): the value printed through it instead of as text/template prints it.
   */
  escape?: (value: unknown) => string;
}

/** `{{template "name" pipeline}}` (and the call half of `{{block}}`); parsed only for template sets. */
export interface TemplateCallNode {
  type: 'template';
  name: string;
  pipe: Pipeline | undefined;
  pos: number;
}

/** `if` and `with` share one shape; `else if` / `else with` become a nested node in `otherwise`. */
export interface IfNode {
  type: 'if' | 'with';
  pipe: Pipeline;
  then: Node[];
  otherwise: Node[] | undefined;
  pos: number;
}

export interface RangeNode {
  type: 'range';
  pipe: Pipeline;
  body: Node[];
  otherwise: Node[] | undefined;
  pos: number;
}

export interface Pipeline {
  /** Variables declared (`$x :=`) or assigned (`$x =`). */
  vars: string[];
  assign: boolean;
  commands: Command[];
  pos: number;
}

export interface Command {
  args: Arg[];
  pos: number;
}

export type Arg =
  | { type: 'field'; chain: string[]; pos: number }
  | { type: 'dot'; pos: number }
  | { type: 'variable'; name: string; chain: string[]; pos: number }
  | { type: 'function'; name: string; pos: number }
  | { type: 'literal'; value: string | bigint | number | boolean | null; pos: number }
  | { type: 'pipe'; pipe: Pipeline; chain: string[]; pos: number };
