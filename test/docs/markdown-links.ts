/**
 * A link check for Markdown as GitHub renders it: every relative link (inline, image or reference
 * definition) must name a file or folder that exists, and every #anchor a heading (or an HTML id/name) of
 * the page it points to, slugged by GitHub's rules (github-slugger, repeats numbered -1, -2, ...). Links
 * inside code (fenced blocks, code spans) are text, not links; absolute URLs are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

/** A link as written: where it is (1-based line) and its target. */
interface FoundLink {
  readonly line: number;
  readonly target: string;
}

/** Lines of `markdown` with fenced code blanked (kept as empty lines, so line numbers hold). */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && opener) {
      fence = opener[1]![0]!.repeat(opener[1]!.length);
      return '';
    }
    if (fence !== undefined) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
      return '';
    }
    return line;
  });
}

/** A line without its code spans. */
const withoutCodeSpans = (line: string) => line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');

/** The links of a page: `[text](target "title")`, `![alt](target)`, `<target>` forms and `[ref]: target` definitions. */
export function linksOf(markdown: string): FoundLink[] {
  const found: FoundLink[] = [];
  proseLines(markdown).forEach((raw, i) => {
    const line = withoutCodeSpans(raw);
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g))
      found.push({ line: i + 1, target: m[1]!.replace(/^<|>$/g, '') });
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (definition) found.push({ line: i + 1, target: definition[1]!.replace(/^<|>$/g, '') });
  });
  return found;
}

/** Heading text as GitHub slugs it: the rendered text (links to their text, no HTML tags, no emphasis marks). */
function renderedHeading(text: string): string {
  return text
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim();
}

/** The anchors a page has: its headings' slugs in order (ATX and setext), and explicit HTML ids and names. */
export function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const lines = proseLines(markdown);
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}\s+(.*)$/.exec(line);
    const next = lines[i + 1];
    const setext = !atx && line.trim() !== '' && next !== undefined && /^ {0,3}(=+|-+)\s*$/.test(next) && !/^\s*[-*+]\s/.test(line);
    if (atx) anchors.add(slugger.slug(renderedHeading(atx[1]!)));
    else if (setext) anchors.add(slugger.slug(renderedHeading(line)));
    for (const m of line.matchAll(/<[^>]+\s(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  });
  return anchors;
}

/** A link's %-escapes decoded, or undefined when one does not decode (`%zz`). */
function decodedLink(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** `file:line: target (why)` for every broken relative link of `files` (paths relative to `root`). */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, 'utf8')));
    return anchorCache.get(path)!;
  };
  for (const file of files) {
    const path = resolve(root, file);
    for (const { line, target } of linksOf(readFileSync(path, 'utf8'))) {
      // Absolute URLs and other schemes (https:, mailto:) are not files of the repository.
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const where = `${file}:${line}: ${target}`;
      const decoded = decodedLink(pathPart);
      const linked = pathPart === '' ? path : resolve(dirname(path), decoded ?? pathPart);
      if (decoded === undefined || (anchor !== undefined && decodedLink(anchor) === undefined))
        problems.push(`${where} (a %-escape that does not decode)`);
      else if (pathPart.startsWith('/')) problems.push(`${where} (a path from the site root does not resolve on GitHub: make it relative)`);
      else if (!existsSync(linked)) problems.push(`${where} (no such file: ${relative(root, linked)})`);
      else if (anchor !== undefined && anchor !== '') {
        if (statSync(linked).isDirectory() || !/\.md$/i.test(linked)) continue;
        if (!anchors(linked).has(decodedLink(anchor)!))
          problems.push(`${where} (no heading with anchor #${anchor} in ${relative(root, linked)})`);
      }
    }
  }
  return problems;
}

/** README.md, ARCHITECTURE.md and every .md under docs/, relative to `root`, sorted. */
export function documentationFiles(root: string): string[] {
  const top = ['README.md', 'ARCHITECTURE.md'].filter((f) => existsSync(join(root, f)));
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f))
    : [];
  return [...top, ...docs].sort();
}
