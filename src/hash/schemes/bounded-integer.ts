/**
 * Reads a decimal parameter from a hash string (digits only, no sign, as Kratos writes them).
 *
 * @returns the value, or `undefined` when it is not a plain integer within `[min, max]`.
 */
export function boundedInteger(digits: string, min: number, max: number): number | undefined {
  if (!/^\d{1,16}$/.test(digits)) return undefined;
  const value = Number(digits);
  return value >= min && value <= max ? value : undefined;
}
