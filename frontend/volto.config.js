// Volto's configuration for this project: the add-ons it loads, in order, and the
// add-on that provides the theme ('' for Volto's default). Read by razzle through
// VOLTOCONFIG (plonedev and the package.json scripts set it).
module.exports = {
  addons: ['volto-plonedev-demo'],
  theme: '',
};
