/** Chart SVG made comparable in snapshots. */
/** Rounds every decimal number to one place and renumbers generated ids, so snapshots show structure, not float noise. */
export function normaliseSvg(svg: string): string {
  const ids = new Map<string, string>();
  return svg
    .replace(/-?\d+\.\d+/g, (n) => String(Math.round(Number(n) * 10) / 10))
    .replace(/plot-clip-\d+|plot-[a-z]+-\d+/g, (id) => {
      if (!ids.has(id)) ids.set(id, `id-${ids.size + 1}`);
      return ids.get(id)!;
    })
    .replace(/></g, '>\n<');
}
