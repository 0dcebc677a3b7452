// Reads the decision tables of rules/cn/supervision (the CSVs hegui itself loads) and writes the
// same tables in each peer's own notation, so every engine decides from the same rows.
// Cell syntax (docs/pack-format.md): '' or '-' any, true/false, N, <N, <=N, >N, >=N, N..M, a|b, text.
import fs from 'node:fs';
import path from 'node:path';

export function readTable(dir, name) {
  const text = fs.readFileSync(path.join(dir, 'tables', name + '.csv'), 'utf8').trim();
  const [head, ...lines] = text.split('\n');
  const cols = head.split(',');
  const ins = cols.filter((c) => c.startsWith('in:')).map((c) => c.slice(3));
  const outs = cols.filter((c) => c.startsWith('out:')).map((c) => c.slice(4));
  const rows = lines.map((line) => {
    const cells = line.split(','); // in:/out: columns come first and hold no commas
    const row = { in: {}, out: {} };
    cols.forEach((c, i) => {
      if (c.startsWith('in:')) row.in[c.slice(3)] = cells[i].trim();
      if (c.startsWith('out:')) row.out[c.slice(4)] = outValue(cells[i].trim());
    });
    return row;
  });
  return { ins, outs, rows };
}

function outValue(cell) {
  if (cell === 'null') return null;
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(cell)) return Number(cell);
  return cell;
}

// A cell as a small AST: {any} | {eq: v} | {cmp: op, n} | {range: [lo, hi]} | {oneOf: [..]}
export function parseCell(cell) {
  if (cell === '' || cell === '-') return { any: true };
  if (cell === 'true' || cell === 'false') return { eq: cell === 'true' };
  let m = /^(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)$/.exec(cell);
  if (m) return { cmp: m[1], n: Number(m[2]) };
  m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(cell);
  if (m) return { range: [Number(m[1]), Number(m[2])] };
  if (/^-?\d+(\.\d+)?$/.test(cell)) return { eq: Number(cell) };
  if (cell.includes('|')) return { oneOf: cell.split('|') };
  return { eq: cell.replace(/^"|"$/g, '') };
}

// ---- JsonLogic (json-logic-js, datalogic-rs): a first-hit `if` chain over the rows
export function jsonLogicCell(cell, v) {
  const c = parseCell(cell);
  if (c.any) return true;
  if ('eq' in c) return { '==': [v, c.eq] };
  if (c.cmp) return { [c.cmp]: [v, c.n] };
  if (c.range) return { '<=': [c.range[0], v, c.range[1]] };
  return { in: [v, c.oneOf] };
}
export function jsonLogicTable(table, inputs, out) {
  const args = [];
  for (const row of table.rows) {
    const conds = table.ins.map((k) => jsonLogicCell(row.in[k], inputs[k])).filter((c) => c !== true);
    args.push(conds.length === 0 ? true : conds.length === 1 ? conds[0] : { and: conds }, row.out[out]);
  }
  args.push(null);
  return { if: args };
}

// ---- CEL (cel-js): nested conditionals, first hit
function celLit(v) {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(1) : String(v); // JSON numbers are doubles
  return String(v);
}
export function celCell(cell, v) {
  const c = parseCell(cell);
  if (c.any) return 'true';
  if ('eq' in c) return typeof c.eq === 'boolean' ? (c.eq ? v : `!${v}`) : `${v} == ${celLit(c.eq)}`;
  if (c.cmp) return `${v} ${c.cmp} ${celLit(c.n)}`;
  if (c.range) return `(${v} >= ${celLit(c.range[0])} && ${v} <= ${celLit(c.range[1])})`;
  return `${v} in [${c.oneOf.map(celLit).join(', ')}]`;
}
export function celTable(table, inputs, out) {
  let expr = 'null';
  for (const row of [...table.rows].reverse()) {
    const conds = table.ins.map((k) => celCell(row.in[k], inputs[k])).filter((c) => c !== 'true');
    const cond = conds.length ? conds.join(' && ') : 'true';
    const val = `dyn(${celLit(row.out[out])})`; // branches may mix types (a value or null)
    expr = cond === 'true' ? val : `(${cond} ? ${val} : ${expr})`;
  }
  return expr;
}

// ---- ZEN (JDM decision table cells are unary tests on the column's field)
export function zenCell(cell) {
  const c = parseCell(cell);
  if (c.any) return '';
  if ('eq' in c) return typeof c.eq === 'string' ? JSON.stringify(c.eq) : String(c.eq);
  if (c.cmp) return `${c.cmp} ${c.n}`;
  if (c.range) return `[${c.range[0]}..${c.range[1]}]`;
  return c.oneOf.map((s) => JSON.stringify(s)).join(', ');
}
export function zenOut(v) {
  return v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}
export function zenTable(id, table, { fields, outFields, hitPolicy = 'first', loop }) {
  const inputs = table.ins.map((k, i) => ({ id: `i${i}`, name: k, field: fields[k] }));
  const outputs = table.outs.map((k, i) => ({ id: `o${i}`, name: k, field: outFields[k] }));
  const rules = table.rows.map((row, r) => {
    const rule = { _id: `${id}_r${r}` };
    table.ins.forEach((k, i) => (rule[`i${i}`] = zenCell(row.in[k])));
    table.outs.forEach((k, i) => (rule[`o${i}`] = zenOut(row.out[k])));
    return rule;
  });
  const content = { hitPolicy, inputs, outputs, rules, passThrough: true };
  if (loop) Object.assign(content, { inputField: loop.inputField, outputPath: loop.outputPath, executionMode: 'loop', passThrough: false });
  return { id, name: id, type: 'decisionTableNode', content };
}

// ---- json-rules-engine: one rule per row; the event carries the row's outputs
export function jreCell(cell, fact) {
  const c = parseCell(cell);
  if (c.any) return [];
  if ('eq' in c) return [{ fact, operator: 'equal', value: c.eq }];
  if (c.cmp) {
    const op = { '<': 'lessThan', '<=': 'lessThanInclusive', '>': 'greaterThan', '>=': 'greaterThanInclusive' }[c.cmp];
    return [{ fact, operator: op, value: c.n }];
  }
  if (c.range) return [
    { fact, operator: 'greaterThanInclusive', value: c.range[0] },
    { fact, operator: 'lessThanInclusive', value: c.range[1] },
  ];
  return [{ fact, operator: 'in', value: c.oneOf }];
}
// First hit: rows get decreasing priorities and the engine stops at the first event.
export function jreTable(name, table, facts) {
  return table.rows.map((row, r) => ({
    name: `${name}_r${r}`,
    priority: table.rows.length - r,
    conditions: { all: table.ins.flatMap((k) => jreCell(row.in[k], facts[k])) },
    event: { type: name, params: row.out },
  }));
}
