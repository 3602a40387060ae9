// Written by plonedev into core/ (regenerated on each `plonedev up`; do not edit).
//
// Makes a Volto project ready where plonedev's Python is not there: in a container (the
// Docker runtime's install job, the production image's build). It does what
// plonedev.frontend.install does on the host:
//   1. unpack the Volto release named in package.json (plonedev.volto) into
//      core/packages/volto with `npm pack`, its development tooling dropped from
//      devDependencies (the patterns come from plonedev in PLONEDEV_DROPPED);
//   2. `pnpm install` (pnpm skips the work itself when the lockfile is installed).
// Usage: node install.cjs <frontend folder>
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const VOLTO = '@plone/volto';
const DEV_TOOLS = 'plonedev-volto-dev';
const PNPM_MAJOR = 10;

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
}

function run(command, args, options = {}) {
  console.log(`plonedev: ${command} ${args.join(' ')}`);
  execFileSync(command, args, { stdio: 'inherit', ...options });
}

function globToRegExp(pattern) {
  const escaped = pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function trimManifest(manifest, dropped) {
  const patterns = dropped.map(globToRegExp);
  const dev = {};
  for (const [name, spec] of Object.entries(manifest.devDependencies || {})) {
    if (!patterns.some((pattern) => pattern.test(name))) dev[name] = spec;
  }
  dev[DEV_TOOLS] = 'workspace:*';
  return { ...manifest, devDependencies: dev };
}

function ensureVolto(root) {
  const wanted =
    (readJson(path.join(root, 'package.json')).plonedev || {}).volto ||
    process.env.PLONEDEV_VOLTO_DEFAULT;
  const target = path.join(root, 'core', 'packages', 'volto');
  const dropped = JSON.parse(process.env.PLONEDEV_DROPPED || '[]');
  const current = readJson(path.join(target, 'package.json'));
  if (current.version === wanted) {
    const trimmed = trimManifest(current, dropped);
    if (JSON.stringify(trimmed) !== JSON.stringify(current)) {
      fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify(trimmed, null, 2) + '\n');
    }
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'plonedev-volto-'));
  try {
    run('npm', ['pack', `${VOLTO}@${wanted}`, '--pack-destination', work], { cwd: work });
    const tarball = fs.readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack did not write ${VOLTO}@${wanted}`);
    run('tar', ['-xzf', path.join(work, tarball), '-C', work]);
    const unpacked = path.join(work, 'package');
    const manifest = trimManifest(readJson(path.join(unpacked, 'package.json')), dropped);
    fs.writeFileSync(path.join(unpacked, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // The old copy goes only now; its contents, not the folder, which may be a mount point.
    if (fs.existsSync(target)) {
      for (const name of fs.readdirSync(target)) {
        if (name !== 'node_modules') fs.rmSync(path.join(target, name), { recursive: true });
      }
    } else {
      fs.mkdirSync(target);
    }
    for (const name of fs.readdirSync(unpacked)) {
      fs.cpSync(path.join(unpacked, name), path.join(target, name), { recursive: true });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function pnpmCommand(root) {
  try {
    const version = execFileSync('pnpm', ['--version'], { encoding: 'utf-8' }).trim();
    if (parseInt(version, 10) === PNPM_MAJOR) return ['pnpm', []];
  } catch (error) {
    // none on PATH: install one below
  }
  const prefix = path.join(root, 'node_modules', '.plonedev-pnpm');
  const script = path.join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!fs.existsSync(script)) {
    run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', `pnpm@${PNPM_MAJOR}`]);
  }
  return [process.execPath, [script]];
}

function main() {
  const root = path.resolve(process.argv[2] || '.');
  ensureVolto(root);
  const [pnpm, prefix] = pnpmCommand(root);
  const args = [
    ...prefix,
    'install',
    '--reporter=append-only',
    '--config.confirm-modules-purge=false',
  ];
  if (!fs.existsSync(path.join(root, 'pnpm-lock.yaml'))) args.push('--no-frozen-lockfile');
  if (process.env.PLONEDEV_PNPM_STORE) args.push(`--store-dir=${process.env.PLONEDEV_PNPM_STORE}`);
  run(pnpm, args, { cwd: root });
}

main();
