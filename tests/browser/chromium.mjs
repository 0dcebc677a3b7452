// Launches Debian's Chromium headless through playwright-core (installed in wasm/node_modules):
// no browser download. CHROMIUM=/path overrides the executable.
import { createRequire } from 'node:module';
import { repoRoot } from './server.mjs';

const require = createRequire(`${repoRoot}/wasm/package.json`);
const { chromium } = require('playwright-core');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
