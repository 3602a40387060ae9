/**
 * volto-plonedev-demo: the Volto side of the demo add-on (sources/plonedev-demo).
 *
 * Volto calls applyConfig once at start-up with its configuration registry: register
 * blocks (config.blocks.blocksConfig), views (config.views), widgets (config.widgets)
 * and settings (config.settings) here. Components go in src/components/; files in
 * src/customizations/ replace Volto's own files of the same path.
 */
import DemoMarker from './components/DemoMarker';

const applyConfig = (config) => {
  // appExtras: components rendered on every page whose path matches ('' matches all).
  config.settings.appExtras = [
    ...config.settings.appExtras,
    { match: '', component: DemoMarker },
  ];
  return config;
};

export default applyConfig;
