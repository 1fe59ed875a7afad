// The dashboard's charts, drawn with Chart.js from the JSON the server embeds
// (#dashboard-data, built by backend/services/admin/dashboard.py). Bundled by esbuild
// (`npm run build:admin`) into ../build/charts.js; only the parts used are imported.
import {BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip} from 'chart.js';
import {chartConfigs} from './chart-config.mjs';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const charts = {};

function draw() {
  const source = document.getElementById('dashboard-data');
  if (!source) return;
  const configs = chartConfigs(JSON.parse(source.textContent), navigator.language);
  for (const [id, config] of Object.entries(configs)) {
    const canvas = document.getElementById(id);
    if (!canvas) continue;
    if (charts[id] && charts[id].canvas === canvas) {
      charts[id].data = config.data; // same canvas: update in place
      charts[id].update();
    } else {
      if (charts[id]) charts[id].destroy();
      charts[id] = new Chart(canvas, config);
    }
  }
  window.fineprintCharts = charts; // for the browser test and for debugging
}

// The admin page replaces a section's HTML after a change (admin.js refresh); redraw then.
function watch() {
  const section = document.getElementById('dashboard');
  if (section) new MutationObserver(draw).observe(section, {childList: true});
  draw();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
else watch();
