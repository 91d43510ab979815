/**
 * A tiny XML well-formedness check for tests: tags nest and close, attributes are quoted,
 * and text holds no raw `<` or stray `&`. Enough to catch broken SVG from string building.
 */
export function checkWellFormedXml(xml: string): { ok: true; elements: string[] } | { ok: false; error: string } {
  const stack: string[] = [];
  const elements: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  let i = 0;
  while (i < xml.length) {
    const ch = xml[i]!;
    if (ch === '<') {
      tag.lastIndex = i;
      const m = tag.exec(xml);
      if (!m) return { ok: false, error: `malformed tag at ${i}: ${xml.slice(i, i + 40)}` };
      const [whole, closing, name, attributes, selfClosing] = m;
      for (const value of attributes!.matchAll(/="([^"]*)"/g)) {
        if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(value[1]!)) return { ok: false, error: `stray & in attribute of <${name}>` };
      }
      if (closing) {
        if (stack.pop() !== name) return { ok: false, error: `</${name}> closes nothing open at ${i}` };
      } else {
        elements.push(name!);
        if (!selfClosing) stack.push(name!);
      }
      i += whole!.length;
    } else if (ch === '&') {
      if (!entity.test(xml.slice(i, i + 12))) return { ok: false, error: `stray & at ${i}` };
      i++;
    } else if (ch === '>') {
      return { ok: false, error: `stray > at ${i}` };
    } else {
      i++;
    }
  }
  if (stack.length > 0) return { ok: false, error: `unclosed <${stack.at(-1)}>` };
  if (elements.length === 0) return { ok: false, error: 'no elements' };
  return { ok: true, elements };
}
