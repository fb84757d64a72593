import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

const data = { Extra: { count: 3, ratio: 2.7, id: '42', big: 1e21 } };

describe('sprig conversions and math', () => {
  it.each([
    [
      '{{ add 1 2 3 }} {{ add }} {{ add1 5 }} {{ sub 5 3 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}',
      '6 0 6 2 24 3 1',
    ],
    ['{{ div -7 2 }} {{ mod -7 3 }}', '-3 -1'],
    ['{{ max 1 5 3 }} {{ biggest 2 9 }} {{ min 4 2 8 }} {{ maxf 1 2.5 }} {{ minf 1.5 -2 }}', '5 9 2 2.5 -2'],
    // Operands go through spf13/cast: floats truncate, strings parse with Go's prefixes.
    [
      '{{ add .Extra.count 1 }} {{ add .Extra.ratio 1 }} {{ add .Extra.id 1 }} {{ add "x" 1 }} {{ add nil true }}',
      '4 3 43 1 1',
    ],
    [
      '{{ int "42" }} {{ int "0x1F" }} {{ int "010" }} {{ int "0b11" }} {{ int "1_000" }} {{ int "8.00" }} {{ int "8.5" }} {{ int "abc" }}',
      '42 31 8 3 1000 8 0 0',
    ],
    ['{{ int 3.9 }} {{ int -3.9 }} {{ int64 true }} {{ int .Extra.big }}', '3 -3 1 -9223372036854775808'],
    [
      '{{ atoi "12" }} {{ atoi "-7" }} {{ atoi "x" }} {{ atoi "0x10" }} {{ atoi "99999999999999999999" }}',
      '12 -7 0 0 9223372036854775807',
    ],
    [
      '{{ float64 "1.5" }} {{ float64 "1e3" }} {{ float64 2 }} {{ float64 "inf" }} {{ float64 "x" }} {{ float64 "1e400" }}',
      '1.5 1000 2 +Inf 0 0',
    ],
    [
      '{{ floor 1.5 }} {{ ceil 1.2 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round -1.5 0 }} {{ round 1.25 1 0.3 }}',
      '1 2 3.14 3 -2 1.3',
    ],
    ['{{ toDecimal "0777" }} {{ toDecimal "8" }} {{ toDecimal 17 }}', '511 0 15'],
    // int64 wraps, as Go's does.
    ['{{ add 9223372036854775807 1 }}', '-9223372036854775808'],
    ['{{ if gt (add .Extra.count 0) 2 }}big{{ end }}', 'big'],
    ['{{ printf "%d" (mul .Extra.count 2) }}', '6'],
  ])('%s', (source, expected) => {
    expect(render(source, data)).toBe(expected);
  });

  it.each([
    ['{{ div 1 0 }}', 'error calling div: runtime error: integer divide by zero'],
    ['{{ mod 1 "0" }}', 'error calling mod: runtime error: integer divide by zero'],
    ['{{ atoi 1 }}', 'expected string; found 1'],
    ['{{ round 1.5 1.5 }}', 'expected integer; found 1.5'],
  ])('%s fails as in Go', (source, message) => {
    expect(render(source, data)).toBe(`error: ${message}`);
  });
});
