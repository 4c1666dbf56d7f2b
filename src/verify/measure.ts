/** A value as a person types it: `7.5`, `7.5%`, `4.2/5`, `1,234 ms`, `0`. */
export interface MeasuredValue {
  readonly value: number;
  readonly scale?: number;
  readonly unit?: string;
}

const VALUE = /^([+\-−]?\d[\d,]*(?:\.\d+)?|[+\-−]?\.\d+)(?:\s*\/\s*(\d+(?:\.\d+)?))?\s*(.*)$/u;

/**
 * Parses a measured value; undefined when the text does not start with a number.
 *
 * @example
 * parseMeasuredValue('4.2/5') // { value: 4.2, scale: 5 }
 * parseMeasuredValue('1.5 % CPU') // { value: 1.5, unit: '% CPU' }
 */
export function parseMeasuredValue(text: string): MeasuredValue | undefined {
  const m = VALUE.exec(text.trim());
  if (m === null) return undefined;
  const value = Number(m[1]!.replace(/,/gu, '').replace('−', '-'));
  if (!Number.isFinite(value)) return undefined;
  const unit = (m[3] ?? '').trim();
  return {
    value,
    ...(m[2] === undefined ? {} : { scale: Number(m[2]) }),
    ...(unit === '' ? {} : { unit }),
  };
}
