/** The report's stylesheet, inline in every HTML file it writes: screen and print (A4 or Letter). */
export const REPORT_CSS = `
body { font-family: system-ui, sans-serif; color: #222; max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #666; font-size: 0.9em; }
.cover .logo { display: block; max-height: 64px; max-width: 240px; margin-bottom: 0.5em; }
.provenance { color: #666; font-size: 0.85em; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 0.8em 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: normal; word-break: normal; hyphens: manual; }
th { font-weight: 600; vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, .nowrap { white-space: nowrap; }
td.n .note { white-space: normal; display: block; color: #666; font-size: 0.9em; }
table.assumptions td.n { white-space: normal; }
.judgement { color: #a04000; font-weight: 600; }
.summary p, .summary li { margin: 0.4em 0; }
.caption { color: #555; font-size: 0.9em; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
@page { margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; } h2 + p, h3 { break-after: avoid; }
  figure, table.keep, tr { break-inside: avoid; }
  .first-page { break-after: page; }
  /* The first page fits one A4 or Letter sheet: tighter type and spacing than the rest. */
  .first-page { line-height: 1.3; }
  .first-page h1 { font-size: 1.4em; margin-top: 0; } .first-page h2 { margin-top: 0.6em; font-size: 1.25em; }
  .first-page p, .first-page figure, .first-page table { margin: 0.35em 0; } .summary li { margin: 0.15em 0; }
  .cover .logo { max-height: 40px; }
  .summary-only .first-page { break-after: auto; }
  thead { display: table-header-group; }
}
`;
