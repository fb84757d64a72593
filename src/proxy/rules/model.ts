import type { JsonObject } from '../../config/index.js';
import type { RuleIssue } from './errors.js';
import type { NormalisedUrl, UrlRejectionReason } from './url.js';

/** One pipeline step of a rule: a handler name and its per-rule config (merged over the global one). */
export interface RuleHandler {
  readonly handler: string;
  /** As written in the rule; null when the rule gives none (Go's nil `json.RawMessage`). */
  readonly config: JsonObject | null;
}

/**
 * An access rule in Oathkeeper's JSON field names. Missing optional parts take Go's zero
 * values, as Oathkeeper's do: empty strings, `false`, and null for a list or a config the rule
 * leaves out (so `GET /rules` shows `null` where Oathkeeper does, see rule-json.ts). `id` is
 * free-form, may be empty and need not be unique, as in Oathkeeper.
 */
export interface Rule {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly match: { readonly url: string; readonly methods: readonly string[] | null };
  readonly authenticators: readonly RuleHandler[];
  readonly authorizer: RuleHandler;
  readonly mutators: readonly RuleHandler[];
  readonly errors: readonly RuleHandler[] | null;
  readonly upstream: { readonly url: string; readonly preserve_host: boolean; readonly strip_path: string };
}

/** What {@link RuleRepository.match} found for a request. */
export type MatchResult =
  /** Exactly one rule matched. `captures` are the `<...>` groups (`RegexpCaptureGroups`; empty for glob). */
  | {
      readonly kind: 'matched';
      readonly rule: Rule;
      readonly url: NormalisedUrl;
      readonly captures: readonly string[];
    }
  /** No rule matched (Oathkeeper answers 404). */
  | { readonly kind: 'no_rule'; readonly url: NormalisedUrl }
  /** More than one rule matched (Oathkeeper answers 500). */
  | { readonly kind: 'too_many_rules'; readonly url: NormalisedUrl; readonly ruleIds: readonly string[] }
  /**
   * The one rule that matched is invalid, or a rule whose match cannot be evaluated (no
   * `match`, a pattern that does not compile) lists the method: fail closed, as Oathkeeper's
   * 500 (see repository.ts).
   */
  | {
      readonly kind: 'invalid_rule';
      readonly url: NormalisedUrl;
      readonly rule: Rule;
      readonly issues: readonly RuleIssue[];
    }
  /** The URL was refused before matching (answer 400; 414 for `too_long`). */
  | { readonly kind: 'bad_url'; readonly reason: UrlRejectionReason; readonly message: string };

/** The loaded rules of every repository, reloaded when a watched file changes. */
export interface RuleRepository {
  /** Every valid rule, in repository order then file order (invalid ones are only matched). */
  rules(): readonly Rule[];
  /** The first valid rule with this id, if any. */
  get(id: string): Rule | undefined;
  /**
   * Finds the one rule for `method` and `url` (absolute URL as received, or already
   * normalised). Method names compare without regard to case, as in Oathkeeper.
   */
  match(method: string, url: string | NormalisedUrl): MatchResult;
  /**
   * Re-reads every repository now; resolves false when one could not be read or decoded (its
   * previous rules stay in force). Invalid rules do not stop a reload: they fail closed.
   */
  reload(): Promise<boolean>;
  /** Stops watching files. */
  close(): void;
}
