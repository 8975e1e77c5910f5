/** Raised while evaluating a value (cast, path, comparison); the runtime turns it into VAR_SUB_ERROR. */
export class VarSubError extends Error {
  override readonly name = 'VarSubError';
}

/** Raised while applying a variable mutation; the runtime turns it into VAR_MUTATION_ERROR. */
export class VarMutationError extends Error {
  override readonly name = 'VarMutationError';
}
