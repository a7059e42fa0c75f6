/**
 * Text from outside (URLs, status text, error messages, file names) made safe for where it is
 * shown: a terminal, a Markdown table, a CSV field, HTML.
 */

function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp <= 0x1f || // C0, including ESC which starts terminal escape sequences
    (cp >= 0x7f && cp <= 0x9f) || // DEL and C1 (0x9b is a one-byte CSI on some terminals)
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings and overrides can reorder what is shown
    (cp >= 0x2066 && cp <= 0x2069) // bidi isolates
  );
}

/**
 * Makes text a server sent (URLs, status text, error messages) safe to print: tab, CR and LF
 * become a space so it stays on one line; every other C0/C1 control character, DEL and the
 * Unicode bidi controls become U+FFFD `�`, so a tampered string shows instead of acting.
 */
export function sanitize(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isUnsafeCodePoint(cp)) out += ch;
    else out += cp === 0x09 || cp === 0x0a || cp === 0x0d ? " " : "\uFFFD";
  }
  return out;
}

/**
 * Sanitizes text and escapes what would break a Markdown table cell or inject markup:
 * `\`, `|`, backtick, `<`, `>`, `[`, `]`. `_` and `*` stay, so URLs keep autolinking.
 */
export function escapeMarkdown(text: string): string {
  return sanitize(text).replace(/[\\|`<>[\]]/g, (ch) => `\\${ch}`);
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, CR or LF, with quotes
 * doubled. A string starting with `=`, `+`, `-`, `@`, tab or CR gets a `'` prefix, so that a
 * spreadsheet shows it as text instead of running it as a formula (OWASP "CSV injection").
 * Numbers and booleans are never prefixed; `null` is the empty field.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

/**
 * Shortens text to at most `max` characters by cutting the middle and putting `…` there,
 * keeping both the host (start) and the path end, which tell URLs apart.
 */
export function truncateMiddle(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join("")}…${tail > 0 ? chars.slice(-tail).join("") : ""}`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"` and `'`
 * become entities, so text a server sent can never open a tag, end an attribute or start a
 * script. Control characters are left to {@link sanitize}.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * A value as JSON that can sit inside an HTML `<script>` element: `<`, `>` and `&` become `\u`
 * escapes, so no string can close the element (`</script>`) or open a comment, and U+2028 and
 * U+2029 too, which older JavaScript parsers take for line ends. `JSON.parse` reads it back
 * unchanged.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}
