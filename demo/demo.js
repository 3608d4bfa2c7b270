// The demo's logic: load the embedded model, then one model.stream() step per character —
// timing each step, drawing the second layer's hidden state, sampling the next character.
import { encodeText, sampleIndex, seededRandom } from "../dist/browser.js";
import { loadModel } from "../dist/browser-safetensors.js";

const $ = (id) => document.getElementById(id);
const canvas = $("heatmap");
const ctx = canvas.getContext("2d");
let model;
let vocab;
let stopping = false;

function setStatus(text, state) {
  $("status").textContent = text;
  document.body.dataset.state = state;
}

async function load() {
  try {
    model = await loadModel(new URL("../models/char-lstm.safetensors", import.meta.url));
    vocab = model.sourceConfig.vocab;
    const info = model.info();
    setStatus(`model loaded: ${info.parameters.toLocaleString("en")} parameters`, "ready");
    $("go").disabled = false;
  } catch (e) {
    setStatus(`could not load the model: ${e.message}`, "error");
  }
}

const COLUMN = 3; // pixels per character: 200 characters fit, then the map wraps around

/** One heat-map column per character: blue (−1) … black (0) … red (+1), 256 rows. */
function drawColumn(x, h) {
  const image = ctx.createImageData(COLUMN, h.length);
  for (let i = 0; i < h.length; i++) {
    const v = Math.max(-1, Math.min(1, h[i]));
    for (let c = 0; c < COLUMN; c++) image.data.set([v > 0 ? 255 * v : 0, 40 * Math.abs(v), v < 0 ? -255 * v : 0, 255], (i * COLUMN + c) * 4);
  }
  ctx.putImageData(image, (x * COLUMN) % canvas.width, 0);
}

async function generateInPage(event) {
  event.preventDefault();
  $("go").disabled = true;
  $("stop").disabled = false;
  stopping = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const prompt = $("prompt").value;
  const length = Number($("length").value);
  const options = { temperature: Number($("temperature").value), topK: 0, topP: 1 };
  const random = seededRandom(Number($("seed").value));
  const out = $("text");
  out.textContent = prompt;
  setStatus("generating…", "generating");
  const stream = model.stream();
  const latencies = [];
  let column = 0;
  const step = (id) => {
    const t0 = performance.now();
    const scores = stream.step([id]);
    latencies.push((performance.now() - t0) * 1000);
    drawColumn(column++, stream.getState()[1].h);
    return scores;
  };
  const start = performance.now();
  let scores;
  const promptIds = encodeText(prompt, vocab); // characters outside the vocabulary are skipped
  for (const id of promptIds.length ? promptIds : encodeText("\n", vocab)) scores = step(id);
  let generated = "";
  for (let n = 0; n < length && !stopping; n++) {
    const id = sampleIndex(scores, options, random);
    generated += vocab[id];
    out.textContent += vocab[id];
    scores = step(id);
    if (n % 8 === 7) {
      const recent = latencies.slice(-50).sort((a, b) => a - b);
      $("latency").textContent = recent[recent.length >> 1].toFixed(0);
      $("rate").textContent = ((generated.length / (performance.now() - start)) * 1000).toFixed(0);
      await new Promise((r) => setTimeout(r, 0)); // let the page paint
    }
  }
  const recent = latencies.slice(-50).sort((a, b) => a - b);
  $("latency").textContent = recent[recent.length >> 1].toFixed(0);
  $("rate").textContent = ((generated.length / (performance.now() - start)) * 1000).toFixed(0);
  stream.dispose();
  setStatus(`${generated.length} characters`, "done");
  $("go").disabled = false;
  $("stop").disabled = true;
}

$("form").addEventListener("submit", generateInPage);
$("stop").addEventListener("click", () => (stopping = true));
load();
