/**
 * Splits a worker's credits (its concurrency) across the hosts it polls: as even as
 * possible, earlier hosts taking the remainder, and at least one credit per host so
 * every assigned server instance is polled (then the total exceeds `total`).
 */
export function splitCredits(total: number, hosts: number): number[] {
  if (!Number.isInteger(total) || total < 1) throw new Error(`total credits must be a positive integer, got ${total}`);
  if (!Number.isInteger(hosts) || hosts < 0) throw new Error(`host count must be a non-negative integer`);
  const base = Math.floor(total / hosts);
  const extra = total % hosts;
  return Array.from({ length: hosts }, (_, i) => Math.max(1, base + (i < extra ? 1 : 0)));
}
