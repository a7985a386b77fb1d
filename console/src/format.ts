// Small helpers for showing values.
export function pretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function ms(value: number | undefined): string {
  if (value === undefined) return '';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}
