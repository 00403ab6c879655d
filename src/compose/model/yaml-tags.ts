/**
 * Compose's merge-control YAML tags. `!reset` removes what earlier files (or `extends`) set for
 * a key; `!override` replaces it instead of merging. parseYaml wraps tagged values in these
 * classes; the merge step consumes them and resolveTags unwraps whatever is left.
 */
export class ResetTag {
  constructor(readonly value: unknown) {}
}

export class OverrideTag {
  constructor(readonly value: unknown) {}
}

/** A copy of `tree` without tag wrappers: `!reset` keys dropped, `!override` values unwrapped. */
export function resolveTags(tree: unknown): unknown {
  if (tree instanceof OverrideTag) return resolveTags(tree.value)
  if (Array.isArray(tree)) return tree.filter((v) => !(v instanceof ResetTag)).map(resolveTags)
  if (tree !== null && typeof tree === 'object' && !(tree instanceof ResetTag)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(tree)) if (!(v instanceof ResetTag)) out[k] = resolveTags(v)
    return out
  }
  return tree
}
