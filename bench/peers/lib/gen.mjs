// Deterministic employers: complete inputs for cn.supervision and cn.healthy-enterprise in one
// document (each pack ignores the fields it does not declare). Every factor states `serious`, so
// no decision depends on the pack's reference lists, and nothing is pending.
export function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const iso = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const addDays = (s, n) => iso(new Date(Date.parse(s + 'T00:00:00Z') + n * 86400000));
// hegui's add_years(d, -3): same month and day 3 years earlier, 02-29 clamped to 02-28.
export function windowStart(s) {
  const y = Number(s.slice(0, 4)) - 3;
  const md = s.slice(4) === '-02-29' ? '-02-28' : s.slice(4);
  return pad(y, 4) + md;
}

const NAMES = [['噪声', 'physical'], ['矽尘', 'dust'], ['苯', 'chemical'], ['电焊烟尘', 'dust'], ['高温', 'physical'],
  ['甲醛', 'chemical'], ['X射线', 'radiological'], ['布鲁氏菌', 'biological'], ['一氧化碳', 'chemical'], ['其他粉尘', 'dust']];
const WORKERS = [0, 1, 5, 9, 10, 11, 30, 48, 49, 50, 51, 120, 800];
const SCORES = [0, 35.5, 60, 69.9, 70, 70.5, 80, 89, 89.5, 90, 95.5, 100];

export function generate(n, seed = 20260701) {
  const r = mulberry32(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const docs = [];
  for (let i = 0; i < n; i++) {
    const assessment_date = r() < 0.05 ? '2024-02-29' : addDays('2021-01-01', int(0, 6 * 365));
    const start = windowStart(assessment_date);
    const eventDate = () => {
      const x = r();
      if (x < 0.1) return start;                 // first day of the window
      if (x < 0.2) return addDays(start, -1);    // the day before it
      if (x < 0.3) return assessment_date;       // last day of the window
      if (x < 0.35) return addDays(assessment_date, 1);
      return addDays(assessment_date, -int(0, 6 * 365));
    };
    const list = (max, make) => Array.from({ length: r() < 0.6 ? 0 : int(1, max) }, make);
    const present = r() < 0.85;
    const factors = present
      ? Array.from({ length: int(1, 4) }, () => {
          const [name, category] = pick(NAMES);
          return { name, category, serious: r() < 0.25, exposure_compliant: r() < 0.75, exposed_workers: r() < 0.6 ? pick(WORKERS) : int(0, 200) };
        })
      : [];
    docs.push({
      assessment_date,
      employer: { name: `示例用人单位${i}`, credit_code: '914403001922038216', employees: int(1, 2000) },
      hazards: { present, factors },
      management: { selfcheck_score: r() < 0.5 ? pick(SCORES) : Math.round(r() * 1000) / 10 },
      healthy_enterprise: {
        commitment_signed: r() < 0.9,
        infectious_outbreaks: list(2, () => ({ date: eventDate(), disease_class: pick(['甲', '乙', '丙']), due_to_inadequate_control: r() < 0.5 })),
        foodborne_cluster_events: list(1, () => ({ date: eventDate() })),
        ohs_liability_accidents: list(2, () => ({ date: eventDate(), major: r() < 0.5 })),
        env_incidents: list(2, () => ({ date: eventDate(), major: r() < 0.5, enterprise_fault: r() < 0.5 })),
        items: {},
      },
    });
  }
  return docs;
}
