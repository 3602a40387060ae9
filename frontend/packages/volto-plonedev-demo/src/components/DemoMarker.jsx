/**
 * A line on every page, rendered on the server too: the sign that this add-on (and so
 * the project's own frontend code) is loaded. Edit the text while `plonedev up` runs and
 * the page changes without a restart.
 */
const DemoMarker = () => (
  <p id="plonedev-demo" style={{ textAlign: 'center', margin: '0.5em', color: '#555' }}>
    plonedev demo
  </p>
);

export default DemoMarker;
