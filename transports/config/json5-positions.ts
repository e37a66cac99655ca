/**
 * The json5 package reports syntax errors with a line and column but gives
 * no positions for the values it parsed; this scanner finds where each
 * element of the top-level array starts, so an error about entry N can
 * still name its line and column.
 */

/** Offsets of the elements of the outermost array (empty when the document is not an array). */
export function topLevelArrayOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let expectElement = false;
  let outerIsArray = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (expectElement && c !== ']') {
      out.push(i);
      expectElement = false;
    }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '[' || c === '{') {
      if (depth === 0) outerIsArray = c === '[';
      depth++;
      if (depth === 1 && outerIsArray) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1 && outerIsArray) expectElement = true;
  }
  return outerIsArray ? out : [];
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text[i] === '\n') {
      line++;
      last = i;
    }
  return { line, col: offset - last };
}
