/**
 * $addon: this project's Volto add-on.
 *
 * Volto calls applyConfig once at start-up with its configuration registry: register
 * blocks (config.blocks.blocksConfig), views (config.views), widgets (config.widgets)
 * and settings (config.settings) here. Components go in src/components/; files in
 * src/customizations/ replace Volto's own files of the same path.
 */
const applyConfig = (config) => {
  return config;
};

export default applyConfig;
