// The preview page: listens to the server's events and swaps the page images in place,
// so the scroll position stays where it is.
"use strict";

const root = document.getElementById("preview");
const pages = document.getElementById("pages");
const statusLine = document.getElementById("status");
const problems = document.getElementById("problems");
const problemList = document.getElementById("problem-list");
const empty = document.getElementById("empty");
const pdfLink = document.getElementById("pdf");
const titleElement = document.getElementById("title");
let shown = -1;
let swapping = 0;

function load(url) {
  const image = new Image();
  image.src = url;
  return image.decode().catch(() => undefined);
}

function figureFor(page) {
  const figure = document.createElement("figure");
  figure.className = "sida";
  const image = document.createElement("img");
  const caption = document.createElement("figcaption");
  caption.className = "sidtext";
  figure.append(image, caption);
  return figure;
}

async function showPages(state) {
  const token = ++swapping;
  // Load every new image first, then change them all at once: no page is ever blank.
  await Promise.all(state.pages.map((page) => load(page.url)));
  if (token !== swapping) return false; // a newer state came meanwhile
  const count = state.pages.length;
  state.pages.forEach((page, i) => {
    let figure = pages.children[i];
    if (!figure) {
      figure = figureFor(page);
      pages.append(figure);
    }
    const image = figure.querySelector("img");
    if (image.getAttribute("src") !== page.url) image.setAttribute("src", page.url);
    image.width = page.width;
    image.height = page.height;
    image.alt = `Sida ${page.number} av ${count}`;
    figure.dataset.page = page.number;
    figure.querySelector(".sidtext").textContent = page.text;
  });
  while (pages.children.length > count) pages.lastElementChild.remove();
  pages.dataset.version = state.pageVersion;
  return true;
}

function pagesDiffer(list) {
  if (list.length !== pages.children.length) return true;
  return list.some((page, i) =>
    pages.children[i].querySelector("img").getAttribute("src") !== page.url);
}

function showProblems(list) {
  problemList.replaceChildren(...list.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  problems.hidden = list.length === 0;
  document.body.classList.toggle("har-fel", list.length > 0);
}

async function apply(state) {
  if (state.version <= shown) return;
  shown = state.version;
  if (state.pages.length && pagesDiffer(state.pages)) {
    if (!(await showPages(state))) return;
  }
  if (state.version !== shown) return;
  showProblems(state.problems);
  empty.hidden = state.pages.length > 0;
  statusLine.textContent = state.message;
  statusLine.className = state.status;
  if (state.title) {
    titleElement.textContent = state.title;
    document.title = `${state.title} – förhandsgranskning`;
  }
  pdfLink.hidden = !state.pdf;
  if (state.pdf) pdfLink.href = state.pdf;
  root.dataset.version = state.version;
  root.dataset.status = state.status;
}

apply(JSON.parse(root.dataset.state));
const events = new EventSource(`${root.dataset.base}/handelser`);
events.addEventListener("state", (event) => apply(JSON.parse(event.data)));
// A restarted server counts its versions from the start again.
events.addEventListener("open", () => { shown = -1; });
events.addEventListener("error", () => {
  statusLine.textContent = "Förbindelsen med förhandsgranskningen bröts; försöker igen …";
  statusLine.className = "fel";
});
