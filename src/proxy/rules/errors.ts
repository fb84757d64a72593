/** One problem with one rule (or with a whole repository document when `ruleId` is undefined). */
export interface RuleIssue {
  /** The repository URL (inline:// contents are not repeated). */
  readonly source: string;
  /** The rule's id, when it has one. */
  readonly ruleId: string | undefined;
  /** Position of the rule in its document, when the issue is about one rule. */
  readonly index: number | undefined;
  /** Dotted field path in the rule (`match.url`, `authenticators.0.handler`); empty for the whole rule. */
  readonly field: string;
  readonly message: string;
}

/**
 * Startup cannot use a repository: an unsupported scheme, or an `inline://` or `http(s)://`
 * document that cannot be read or decoded (rules that fail validation do not stop the start:
 * they fail closed, see repository.ts). Carries every issue found. Branch on `code` or
 * `instanceof`, never the message.
 */
export class RuleLoadError extends Error {
  readonly code = 'rules_invalid';
  readonly issues: readonly RuleIssue[];

  constructor(issues: readonly RuleIssue[], options?: { cause?: unknown }) {
    super(formatRuleIssues(issues), options);
    this.name = 'RuleLoadError';
    this.issues = issues;
  }
}

/** One line per issue: `<source> rule "<id>" (#<index>) <field>: <message>`. */
export function formatRuleIssues(issues: readonly RuleIssue[]): string {
  const lines = issues.map((issue) => {
    const rule =
      issue.ruleId !== undefined
        ? ` rule "${issue.ruleId}"`
        : issue.index !== undefined
          ? ` rule #${issue.index}`
          : '';
    const field = issue.field === '' ? '' : ` ${issue.field}`;
    return `  - ${issue.source}${rule}${field}: ${issue.message}`;
  });
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return `access rules: ${count}\n${lines.join('\n')}`;
}
