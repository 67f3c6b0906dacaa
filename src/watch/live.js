// The live page's script: follows the run over Server-Sent Events and redraws with the same view
// code report.html is rendered with (view.js). Read-only: it only ever GETs. Its token comes from
// its own URL, so nothing else on the page has to carry it.
const token = new URL(import.meta.url).searchParams.get('token') ?? '';
const q = `token=${encodeURIComponent(token)}`;
const view = await import(`./view.js?${q}`);

const app = document.getElementById('app');
const stream = document.getElementById('stream');
let model = view.createModel();
let dirty = true;

const source = new EventSource(`./events?${q}`);
const on = (name, fn) =>
  source.addEventListener(name, (e) => {
    fn(JSON.parse(e.data));
    dirty = true;
  });
on('reset', () => {
  const { run, cloud } = model;
  model = view.createModel();
  model.run = run;
  model.cloud = cloud;
});
on('run', (run) => {
  model.run = run;
});
on('cloud', (status) => {
  model.cloud = status;
});
on('entries', (entries) => {
  for (const entry of entries) view.applyEntry(model, entry);
});
on('entry', (entry) => view.applyEntry(model, entry));
source.addEventListener('open', () => {
  stream.textContent = 'live';
  stream.className = 'stream live';
});
source.addEventListener('error', () => {
  // EventSource reconnects by itself; the server starts every connection with a reset.
  stream.textContent = 'reconnecting to resilient watch…';
  stream.className = 'stream down';
});

function draw() {
  app.innerHTML = view.renderApp(model, {
    live: true,
    now: Date.now(),
    width: Math.max(640, Math.min(1400, window.innerWidth - 60)),
  });
  dirty = false;
}
// The chart slides with the clock, so it is redrawn every second even when nothing arrived.
setInterval(draw, 1000);
setInterval(() => {
  if (dirty) draw();
}, 200);
draw();
