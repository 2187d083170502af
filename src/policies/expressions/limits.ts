/**
 * The bounds every expression lives within (docs/expressions.md, "Limits"). Structural limits are
 * checked when an expression is compiled; the evaluation budget is counted while it runs, because
 * comprehensions over request data (a JSON body's list, `split("")` of a header) can iterate far
 * more than the expression's size suggests.
 */
export const LIMITS = {
  /** Characters of source (a template counts each expression inside `{{ }}` separately). */
  maxSourceLength: 4096,
  /** Characters of a whole template, literal text included. */
  maxTemplateLength: 16_384,
  maxAstNodes: 1000,
  /** Nesting of calls, selections, indexes, parentheses and literals. */
  maxDepth: 32,
  maxListElements: 128,
  maxMapEntries: 64,
  maxCallArguments: 8,
  /**
   * Units one evaluation may spend (tens of milliseconds at most, see budget.ts): one per AST node
   * evaluated (every comprehension step counts), one per KiB of every string a node yields, one
   * per 16 items of every list and 4 keys of every map it yields, and for `matches()` the
   * subject's length times the pattern's weight (regex.ts).
   */
  evaluationBudget: 100_000,
} as const;
