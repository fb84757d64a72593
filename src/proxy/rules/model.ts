import type { JsonObject } from '../../config/index.js';
import type { NormalisedUrl, UrlRejectionReason } from './url.js';

/** One pipeline step of a rule: a handler name and its per-rule config (merged over the global one). */
export interface RuleHandler {
  readonly handler: string;
  /** As written in the rule; undefined when the rule gives none. */
  readonly config: JsonObject | undefined;
}

/**
 * An access rule in Oathkeeper's JSON shape (field names as on the wire, so `GET /rules`
 * returns it unchanged). Missing optional parts take Go's zero values, as Oathkeeper's do.
 */
export interface Rule {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly match: { readonly url: string; readonly methods: readonly string[] };
  readonly authenticators: readonly RuleHandler[];
  readonly authorizer: RuleHandler;
  readonly mutators: readonly RuleHandler[];
  readonly errors: readonly RuleHandler[];
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
  /** The URL was refused before matching (answer 400; 414 for `too_long`). */
  | { readonly kind: 'bad_url'; readonly reason: UrlRejectionReason; readonly message: string };

/** The loaded rules of every repository, reloaded when a watched file changes. */
export interface RuleRepository {
  /** Every rule, in repository order then file order. */
  rules(): readonly Rule[];
  /** The rule with this id, if loaded. */
  get(id: string): Rule | undefined;
  /**
   * Finds the one rule for `method` and `url` (absolute URL as received, or already
   * normalised). Method names compare exactly, as in Oathkeeper.
   */
  match(method: string, url: string | NormalisedUrl): MatchResult;
  /** Re-reads every repository now; resolves false (keeping the old rules) when one fails. */
  reload(): Promise<boolean>;
  /** Stops watching files. */
  close(): void;
}
