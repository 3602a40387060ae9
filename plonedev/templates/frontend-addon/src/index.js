/**
 * $name: a Volto add-on of this project.
 *
 * Volto calls applyConfig once at start-up with its configuration registry. This one
 * adds a page at $route (src/components/Hello.jsx); register blocks
 * (config.blocks.blocksConfig), views (config.views), widgets (config.widgets) and
 * settings (config.settings) here too. Files in src/customizations/ replace Volto's own
 * files of the same path.
 */
import Hello from './components/Hello';

const ROUTE = '$route';

const applyConfig = (config) => {
  config.addonRoutes = [
    ...config.addonRoutes,
    { path: ROUTE, component: Hello },
  ];
  // Not a content object: Volto asks the site root for the navigation and breadcrumbs,
  // and shows the page with the public layout (not the editing interface's).
  config.settings.nonContentRoutes = [
    ...config.settings.nonContentRoutes,
    ROUTE,
  ];
  config.settings.nonContentRoutesPublic = [
    ...(config.settings.nonContentRoutesPublic || []),
    ROUTE,
  ];
  return config;
};

export default applyConfig;
