// Chart.js configurations for the dashboard's figures; pure, so node --test checks them.
const TAG_COLOURS = ['#d72c0d', '#b98900', '#8a3ffc', '#007f5f', '#6d7175'];

function dayLabel(iso, locale, withYear) {
  const options = {month: 'short', day: 'numeric', timeZone: 'UTC', ...(withYear ? {year: 'numeric'} : {})};
  return new Intl.DateTimeFormat(locale, options).format(new Date(`${iso}T00:00:00Z`));
}

// Counts are whole numbers: integer ticks from zero, never "1.5" or a skipped "1".
function countAxis(title) {
  return {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: title}, grace: '5%'};
}

function dayAxis(days, locale, today) {
  return {
    title: {display: true, text: 'Day'},
    ticks: {autoSkip: true, maxRotation: 0,
      callback: (_value, index) => (days[index] === today ? 'Today' : dayLabel(days[index], locale, false))},
  };
}

function tooltip(days, locale) {
  return {callbacks: {title: (items) => dayLabel(days[items[0].dataIndex], locale, true)}};
}

/**
 * Orders per day: the first bar of each day counts orders (each once); beside it, one bar per tag
 * counts the orders carrying that tag. Grouped, never stacked: three tags on one order stay one order.
 */
export function ordersChart({orders, today}, locale = 'en') {
  const tags = Object.entries(orders.by_tag).map(([tag, counts], i) => ({
    label: `with ${tag}`, data: counts, backgroundColor: TAG_COLOURS[i % TAG_COLOURS.length],
  }));
  return {
    type: 'bar',
    data: {labels: orders.days, datasets: [{label: 'Orders', data: orders.total, backgroundColor: '#2c6ecb'}, ...tags]},
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      datasets: {bar: {categoryPercentage: 0.85, barPercentage: 0.95}},
      scales: {x: dayAxis(orders.days, locale, today), y: countAxis('Orders')},
      plugins: {legend: {position: 'bottom'}, tooltip: {...tooltip(orders.days, locale), mode: 'index'}},
    },
  };
}

export function deadlinesChart({deadlines, today}, locale = 'en') {
  const colours = deadlines.days.map((d) => (d === today ? '#d72c0d' : d > today ? '#2c6ecb' : '#b5b5b5'));
  return {
    type: 'bar',
    data: {labels: deadlines.days, datasets: [{label: 'Return deadlines', data: deadlines.count, backgroundColor: colours}]},
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: dayAxis(deadlines.days, locale, today), y: countAxis('Deadlines')},
      plugins: {legend: {display: false}, tooltip: tooltip(deadlines.days, locale)},
    },
  };
}

/** Canvas id -> Chart.js configuration. */
export function chartConfigs(data, locale = 'en') {
  return {'orders-chart': ordersChart(data, locale), 'deadlines-chart': deadlinesChart(data, locale)};
}
