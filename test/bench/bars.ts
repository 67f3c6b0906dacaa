/**
 * The quality bars (docs/testing.md#quality-bars), as the benchmark checks them. A figure is its measured value, the bar it is
 * held to, and whether it passes.
 */
export interface Figure {
  readonly value: number | null;
  readonly unit: string;
  readonly bar: string;
  readonly pass: boolean;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const atLeast = (value: number, min: number, unit: string): Figure => ({
  value: round(value),
  unit,
  bar: `>= ${min} ${unit}`.trim(),
  pass: value >= min,
});

export const below = (value: number, max: number, unit: string): Figure => ({
  value: round(value, 3),
  unit,
  bar: `< ${max} ${unit}`.trim(),
  pass: value < max,
});

export const atMost = (value: number, max: number, unit: string): Figure => ({
  value: round(value, 3),
  unit,
  bar: `<= ${max} ${unit}`.trim(),
  pass: value <= max,
});

export const unmeasured = (bar: string, unit: string): Figure => ({ value: null, unit, bar, pass: false });
