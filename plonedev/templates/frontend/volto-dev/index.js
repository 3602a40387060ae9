// Written by plonedev into core/: a Volto add-on that only carries razzle.extend.js.
const applyConfig = (config) => config;

export default applyConfig;
