// `Engine.fromBundle` in Node, unsigned and signed (`trustedKeys`), first call and warm, for one
// or more packages, interleaved so a busy machine slows them alike:
//   node wasm/bench/load-node.mjs [PKG_DIR ...]     (default wasm/pkg)
// The signed bundle is cn.supervision's, signed with a fresh key by the release CLI
// (`cargo build --release -p hegui` first). Each "first" is a fresh process: import the glue,
// compile and instantiate the module, then time one `fromBundle` (median of ROUNDS processes,
// 15 by default). Warm: median of 30 calls after 30.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { medianOf } from './common.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const bundlePath = join(root, 'tests/out/bundles/cn.supervision.json');

async function once(pkg, signedPath, pubkey, warm) {
  const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
  initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
  const text = readFileSync(signedPath || bundlePath, 'utf8');
  const options = signedPath ? { trustedKeys: [pubkey] } : undefined;
  const time = () => {
    const t = performance.now();
    Engine.fromBundle(text, options).free();
    return performance.now() - t;
  };
  if (!warm) return time();
  for (let i = 0; i < 30; i++) time();
  return medianOf(Array.from({ length: 30 }, time));
}

// A child process: one measurement, printed.
if (process.argv[2] === '--child') {
  const [, , , pkg, signedPath, pubkey, warm] = process.argv;
  console.log(await once(pkg, signedPath === '-' ? '' : signedPath, pubkey, warm === 'warm'));
  process.exit(0);
}

const pkgs = (process.argv.length > 2 ? process.argv.slice(2) : [join(root, 'wasm/pkg')]).map((p) => resolve(p));
const rounds = Number(process.env.ROUNDS || 15);
const cli = join(root, 'target/release/hegui');
const dir = mkdtempSync(join(tmpdir(), 'hegui-load-'));
execFileSync(cli, ['pack', 'keygen', '--out', join(dir, 'k')]);
const signed = join(dir, 'signed.json');
execFileSync(cli, ['pack', 'sign', '--key', join(dir, 'k.key'), '-o', signed, bundlePath]);
const pubkey = readFileSync(join(dir, 'k.pub'), 'utf8').trim();

const runs = new Map(pkgs.map((p) => [p, { unsigned: [], signed: [], unsignedWarm: [], signedWarm: [] }]));
const child = (pkg, s, warm) =>
  Number(execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', pkg, s || '-', pubkey, warm ? 'warm' : 'first']).toString());
for (let r = 0; r < rounds; r++) {
  for (const pkg of pkgs) {
    const m = runs.get(pkg);
    m.unsigned.push(child(pkg, '', false));
    m.signed.push(child(pkg, signed, false));
    if (r < 3) {
      m.unsignedWarm.push(child(pkg, '', true));
      m.signedWarm.push(child(pkg, signed, true));
    }
  }
}
console.log(`node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${rounds} processes per first load`);
for (const [pkg, m] of runs) {
  const f = (xs) => medianOf(xs).toFixed(2);
  console.log(`${pkg}\n  first fromBundle: unsigned ${f(m.unsigned)} ms, signed ${f(m.signed)} ms`);
  console.log(`  warm fromBundle:  unsigned ${f(m.unsignedWarm)} ms, signed ${f(m.signedWarm)} ms`);
}
