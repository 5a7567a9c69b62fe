// Number formatting for tooltips. Values are shown as stored: at least six
// fraction digits are allowed, and more when the stored number has them, so a
// tooltip never rounds away a digit that the dataset holds.

const standard = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const wide = new Map();

// fractionDigits returns how many digits follow the decimal point in the
// shortest representation of v (the one JSON.parse read it from).
function fractionDigits(v) {
  const s = String(Math.abs(v));
  const e = s.search(/e/i);
  const mantissa = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const frac = dot < 0 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, frac - exp);
}

export function formatNumber(v) {
  const digits = fractionDigits(v);
  if (digits <= 6) {
    return standard.format(v);
  }
  const n = Math.min(digits, 20);
  if (!wide.has(n)) {
    wide.set(n, new Intl.NumberFormat('en-US', { maximumFractionDigits: n }));
  }
  return wide.get(n).format(v);
}

export function isNumber(v) {
  return typeof v === 'number' && isFinite(v);
}
