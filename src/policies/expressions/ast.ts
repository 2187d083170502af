/**
 * A walk over cel-js (8.0.0) parse trees. Its typings describe `op` and `args` but not `setMeta`,
 * which regex.ts needs; this is the one narrow view of a node the folder relies on.
 */
export interface CelNode {
  readonly op: string;
  /** Per operator: a literal, a name, a node, or arrays of nodes and names (see cel-js's index.d.ts). */
  readonly args: unknown;
  /** Character offsets of the node in its source. */
  readonly start: number;
  readonly end: number;
  setMeta(key: string, value: unknown): CelNode;
}

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Visits every node of the tree as written (macro arguments included), parents first. */
export function walk(node: CelNode, visit: (node: CelNode) => void): void {
  visit(node);
  visitArgs(node.args, visit);
}

function visitArgs(args: unknown, visit: (node: CelNode) => void): void {
  if (isNode(args)) walk(args, visit);
  else if (Array.isArray(args)) for (const arg of args) visitArgs(arg, visit);
}
