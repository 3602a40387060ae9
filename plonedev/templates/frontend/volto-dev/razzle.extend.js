// Written by plonedev into core/ (regenerated on each `plonedev up`; do not edit).
//
// Makes the development server's server-side hot reload reliable. The server bundle
// polls for build/server.<hash>.hot-update.json every 300 ms; webpack writes that file
// in place, together with the other assets, so on a busy machine the poll can read it
// half-written ("Unexpected end of JSON input") and hot reloading stops until a restart.
// This plugin holds the manifests back and writes each one once every other asset is
// on disk, to a temporary name renamed into place: the poll sees all of it or nothing.
//
// And keeps webpack's compile between runs: with PLONEDEV_WEBPACK_CACHE set (by plonedev
// up), the dev server's bundles are cached on disk there (webpack's persistent cache),
// so a restart compiles only what changed instead of every module of Volto again.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const NAME = 'plonedev-atomic-hot-update';

class AtomicHotUpdateManifests {
  apply(compiler) {
    let held = [];
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      compilation.hooks.processAssets.tap(
        {
          name: NAME,
          stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT + 1,
        },
        (assets) => {
          held = [];
          for (const name of Object.keys(assets)) {
            if (name.endsWith('.hot-update.json')) {
              held.push([name, assets[name].source()]);
              compilation.deleteAsset(name);
            }
          }
        },
      );
    });
    compiler.hooks.afterEmit.tap(NAME, () => {
      for (const [name, source] of held) {
        const target = path.join(compiler.outputPath, name);
        const tmp = `${target}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, source);
        fs.renameSync(tmp, target);
      }
      held = [];
    });
  }
}

// Baked into the bundles (DefinePlugin, the public path): a change compiles afresh.
const COMPILE_ENV = /^(RAZZLE_|VOLTOCONFIG$|ADDONS$|PORT$|HOST$|CLIENT_PUBLIC_PATH$)/;

function persistentCache(directory, target) {
  const env = Object.keys(process.env)
    .filter((key) => COMPILE_ENV.test(key))
    .sort()
    .map((key) => `${key}=${process.env[key]}`);
  return {
    type: 'filesystem',
    cacheDirectory: directory,
    name: `${target}-dev`,
    version: crypto.createHash('sha256').update(env.join('\n')).digest('hex'),
    // The configuration itself: Volto's, the project's add-on list, and this file.
    buildDependencies: {
      config: [
        path.join(process.cwd(), 'razzle.config.js'),
        process.env.VOLTOCONFIG,
        __filename,
      ].filter((file) => file && fs.existsSync(file)),
    },
  };
}

module.exports = {
  plugins: (defaultPlugins) => defaultPlugins,
  modify: (config, { target, dev }) => {
    if (dev && target === 'node') {
      config.plugins.push(new AtomicHotUpdateManifests());
    }
    const cacheDirectory = process.env.PLONEDEV_WEBPACK_CACHE;
    if (dev && cacheDirectory) {
      config.cache = persistentCache(cacheDirectory, target);
    }
    return config;
  },
};
