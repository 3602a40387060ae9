// Written by plonedev into core/ (regenerated on each `plonedev up`; do not edit).
//
// Makes the development server's server-side hot reload reliable. The server bundle
// polls for build/server.<hash>.hot-update.json every 300 ms; webpack writes that file
// in place, together with the other assets, so on a busy machine the poll can read it
// half-written ("Unexpected end of JSON input") and hot reloading stops until a restart.
// This plugin holds the manifests back and writes each one once every other asset is
// on disk, to a temporary name renamed into place: the poll sees all of it or nothing.
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

module.exports = {
  plugins: (defaultPlugins) => defaultPlugins,
  modify: (config, { target, dev }) => {
    if (dev && target === 'node') {
      config.plugins.push(new AtomicHotUpdateManifests());
    }
    return config;
  },
};
