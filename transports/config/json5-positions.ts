/**
 * The json5 package reports syntax errors with a line and column but gives
 * no positions for the values it parsed; this scanner finds where each
 * element of the list of entries starts (the top-level array, or the
 * `commands` array of a top-level object), so an error about entry N can
 * still name its line and column.
 */

/** One structural event of the scan: an opening or closing bracket, a comma, a key, or the start of a value. */
interface Visitor {
  /** A value starts at `offset` with `depth` brackets open around it. */
  value(offset: number, depth: number): void;
  open(c: '[' | '{', offset: number, depth: number): void;
  comma(depth: number): void;
  /** A member name (quoted or not) followed by ':' at `depth`. */
  key(name: string, depth: number): void;
}

/** Walks JSON5 text, skipping comments and strings, and reports structure to `v`. */
function scan(text: string, v: Visitor): void {
  let depth = 0;
  let pendingKey: string | undefined;
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
    if (c === ']' || c === '}') {
      depth--;
      continue;
    }
    if (c === ',') {
      v.comma(depth);
      continue;
    }
    if (c === ':') {
      if (pendingKey !== undefined) v.key(pendingKey, depth);
      pendingKey = undefined;
      continue;
    }
    v.value(i, depth);
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      pendingKey = text.slice(start + 1, i);
      continue;
    }
    if (c === '[' || c === '{') {
      v.open(c, i, depth);
      depth++;
      pendingKey = undefined;
      continue;
    }
    const word = /^[A-Za-z0-9_$+.-]+/.exec(text.slice(i, i + 256))?.[0] ?? c;
    pendingKey = word;
    i += word.length - 1;
  }
}

/**
 * Offsets of the elements of the array that opens at depth `arrayDepth`
 * once `isTarget` accepts it; elements are the values that start right after
 * its '[' or after one of its commas.
 */
function elementOffsets(text: string, isTarget: (c: '[' | '{', depth: number, key: string | undefined) => boolean): number[] {
  const out: number[] = [];
  let target: number | undefined;
  let expect = false;
  let lastKey: string | undefined;
  let done = false;
  scan(text, {
    value(offset, depth) {
      if (!done && expect && target !== undefined && depth === target + 1) out.push(offset);
      expect = false;
    },
    open(c, _offset, depth) {
      if (done || target !== undefined) return;
      if (isTarget(c, depth, lastKey)) {
        target = depth;
        expect = true;
      }
    },
    comma(depth) {
      lastKey = undefined;
      if (target !== undefined && depth === target + 1) expect = true;
      if (target !== undefined && depth <= target) done = true;
    },
    key(name, depth) {
      lastKey = depth === 1 ? name : undefined;
    },
  });
  return out;
}

/** Offsets of the elements of the outermost array (empty when the document is not an array). */
export function topLevelArrayOffsets(text: string): number[] {
  let outerIsArray: boolean | undefined;
  const out = elementOffsets(text, (c, depth) => {
    if (depth === 0) outerIsArray ??= c === '[';
    return depth === 0 && c === '[';
  });
  return outerIsArray ? out : [];
}

/** Offsets of the elements of the `commands` array of a top-level object (`{commands: [...]}`). */
export function commandsArrayOffsets(text: string): number[] {
  return elementOffsets(text, (c, depth, key) => c === '[' && depth === 1 && key === 'commands');
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
