import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InputError, UsageError } from "../src/errors.js";
import {
  escapeInvisible,
  looksLikeUrl,
  parseTargets,
  parseUrlArguments,
  quoteInput,
  readTargets,
} from "../src/targets.js";

/** Matches an InputError with exactly this message. */
const inputError = (message: string) => new InputError(message);

const urls = (text: string) => parseTargets(text, "urls.txt").map((target) => target.url);

describe("parseTargets", () => {
  test("reads one URL per line with index from 0 and line from 1", () => {
    expect(parseTargets("http://a.test/\nhttps://b.test/x?y=1\n", "urls.txt")).toEqual([
      { index: 0, line: 1, url: "http://a.test/" },
      { index: 1, line: 2, url: "https://b.test/x?y=1" },
    ]);
  });

  test("keeps the URL as written", () => {
    expect(urls("HTTP://Example.test:8080/a/../b")).toEqual(["HTTP://Example.test:8080/a/../b"]);
  });

  test("accepts a last line without a newline", () => {
    expect(urls("http://a.test/\nhttp://b.test/")).toEqual(["http://a.test/", "http://b.test/"]);
  });

  test("keeps duplicate URLs", () => {
    expect(urls("http://a.test/\nhttp://a.test/")).toHaveLength(2);
  });

  test("skips blank lines but counts them in line numbers", () => {
    expect(parseTargets("\n\nhttp://a.test/\n\n", "urls.txt")).toEqual([
      { index: 0, line: 3, url: "http://a.test/" },
    ]);
  });

  test("skips whitespace-only lines", () => {
    expect(urls(" \t \nhttp://a.test/")).toEqual(["http://a.test/"]);
  });

  test("skips comment lines", () => {
    expect(parseTargets("# first\nhttp://a.test/\n#http://b.test/", "urls.txt")).toEqual([
      { index: 0, line: 2, url: "http://a.test/" },
    ]);
  });

  test("skips indented comment lines", () => {
    expect(urls("   # indented\n\t# tabbed\nhttp://a.test/")).toEqual(["http://a.test/"]);
  });

  test("index counts only URLs while line counts every line", () => {
    const targets = parseTargets("# c\nhttp://a.test/\n\n# c\nhttp://b.test/", "urls.txt");
    expect(targets.map(({ index, line }) => [index, line])).toEqual([
      [0, 2],
      [1, 5],
    ]);
  });

  test("keeps a # inside a URL as its fragment", () => {
    expect(urls("http://a.test/#top")).toEqual(["http://a.test/#top"]);
  });

  test("trims surrounding whitespace", () => {
    expect(urls("  \thttp://a.test/ \t ")).toEqual(["http://a.test/"]);
  });

  test("tolerates a leading BOM", () => {
    expect(parseTargets("\uFEFFhttp://a.test/", "urls.txt")).toEqual([
      { index: 0, line: 1, url: "http://a.test/" },
    ]);
  });

  test("tolerates CRLF line endings", () => {
    expect(parseTargets("http://a.test/\r\n\r\nhttp://b.test/\r\n", "urls.txt")).toEqual([
      { index: 0, line: 1, url: "http://a.test/" },
      { index: 1, line: 3, url: "http://b.test/" },
    ]);
  });

  test("tolerates lone CR line endings", () => {
    expect(parseTargets("http://a.test/\r\rhttp://b.test/", "urls.txt")).toEqual([
      { index: 0, line: 1, url: "http://a.test/" },
      { index: 1, line: 3, url: "http://b.test/" },
    ]);
  });

  test("accepts IPv4, IPv6, ports, credentials and queries", () => {
    const list = [
      "http://127.0.0.1:8080/",
      "http://[::1]:3000/x",
      "https://user:pass@a.test/",
      "https://a.test/?q=a%20b&r",
    ];
    expect(urls(list.join("\n"))).toEqual(list);
  });

  test("rejects a non-http scheme", () => {
    expect(() => parseTargets("htp:/x", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL: "htp:/x"'),
    );
  });

  test("rejects ftp: URLs", () => {
    expect(() => parseTargets("ftp://a.test/file", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL: "ftp://a.test/file"'),
    );
  });

  test("rejects mailto: URLs", () => {
    expect(() => parseTargets("mailto:me@a.test", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL: "mailto:me@a.test"'),
    );
  });

  test("rejects a bare hostname with a hint", () => {
    expect(() => parseTargets("example.com", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL (missing http:// or https://): "example.com"'),
    );
  });

  test("rejects a hostname with a port with a hint", () => {
    expect(() => parseTargets("localhost:3000/x", "urls.txt")).toThrow(
      inputError(
        'urls.txt:1: not an http(s) URL (missing http:// or https://): "localhost:3000/x"',
      ),
    );
  });

  test("hints at the scheme for a host and port with a path, query or fragment", () => {
    for (const line of ["localhost:3000/x", "localhost:3000?q", "db.test:8080#top"]) {
      expect(() => parseTargets(line, "urls.txt"), line).toThrow(
        inputError(`urls.txt:1: not an http(s) URL (missing http:// or https://): "${line}"`),
      );
    }
  });

  test("gives no hint where what follows the colon is not a port", () => {
    for (const line of ["urn:isbn:0451450523", "localhost:3000x", "tel:+15551234"]) {
      expect(() => parseTargets(line, "urls.txt"), line).toThrow(
        inputError(`urls.txt:1: not an http(s) URL: "${line}"`),
      );
    }
  });

  test("hints at the scheme for a protocol-relative URL", () => {
    expect(() => parseTargets("//a.test:8080/x", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL (missing http:// or https://): "//a.test:8080/x"'),
    );
  });

  test("rejects an absolute path", () => {
    expect(() => parseTargets("/index.html", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL (missing http:// or https://): "/index.html"'),
    );
  });

  test("rejects a relative path", () => {
    expect(() => parseTargets("./pages/a.html", "urls.txt")).toThrow(
      inputError('urls.txt:1: not an http(s) URL (missing http:// or https://): "./pages/a.html"'),
    );
  });

  test("rejects an inner space instead of encoding it", () => {
    expect(() => parseTargets("# list\n\nhttp://exa mple.com", "urls.txt")).toThrow(
      inputError('urls.txt:3: not a valid URL: "http://exa mple.com"'),
    );
  });

  test("rejects an inner space in the path", () => {
    expect(() => parseTargets("http://a.test/a b", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test/a b"'),
    );
  });

  test("rejects a trailing comment after a URL", () => {
    expect(() => parseTargets("http://a.test/ # home", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test/ # home"'),
    );
  });

  test("rejects an inner tab instead of dropping it", () => {
    expect(() => parseTargets("http://a.test/a\tb", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test/a\\tb"'),
    );
  });

  test("rejects a URL without a host", () => {
    expect(() => parseTargets("http://", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://"'),
    );
  });

  test("rejects a URL without // after the scheme", () => {
    expect(() => parseTargets("http:/a.test/", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http:/a.test/"'),
    );
  });

  test("rejects a port out of range", () => {
    expect(() => parseTargets("http://a.test:99999/", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test:99999/"'),
    );
  });

  test("escapes control characters in the echoed line", () => {
    expect(() => parseTargets("http://a.test/\u0000\u001b[31m\u007f", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test/\\u0000\\u001b[31m\\u007f"'),
    );
  });

  test("escapes bidi overrides in the echoed line", () => {
    expect(() => parseTargets("http://a.test/\u202Egnp.exe", "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "http://a.test/\\u202egnp.exe"'),
    );
  });

  test("escapes quotes and backslashes in the echoed line", () => {
    expect(() => parseTargets('say "hi"\\', "urls.txt")).toThrow(
      inputError('urls.txt:1: not a valid URL: "say \\"hi\\"\\\\"'),
    );
  });

  test("cuts a long line to 80 characters with an ellipsis", () => {
    const line = `ftp://a.test/${"x".repeat(200)}`;
    const shown = `${line.slice(0, 79)}…`;
    expect(() => parseTargets(line, "urls.txt")).toThrow(
      inputError(`urls.txt:1: not an http(s) URL: "${shown}"`),
    );
  });

  test("does not cut a line of exactly 80 characters", () => {
    const line = `ftp://a.test/${"x".repeat(67)}`;
    expect(line).toHaveLength(80);
    expect(() => parseTargets(line, "urls.txt")).toThrow(
      inputError(`urls.txt:1: not an http(s) URL: "${line}"`),
    );
  });

  test("reports the first bad line", () => {
    expect(() => parseTargets("http://a.test/\nftp://b.test/\nc.test", "urls.txt")).toThrow(
      inputError('urls.txt:2: not an http(s) URL: "ftp://b.test/" (and 1 more bad line)'),
    );
  });

  test("says how many more lines are bad", () => {
    expect(() =>
      parseTargets("ftp://a.test/\nhttp://ok.test/\nb.test\nc.test", "urls.txt"),
    ).toThrow(inputError('urls.txt:1: not an http(s) URL: "ftp://a.test/" (and 2 more bad lines)'));
  });

  test("says one more line is bad in the singular", () => {
    expect(() => parseTargets("a.test\nb.test", "urls.txt")).toThrow(
      inputError(
        'urls.txt:1: not an http(s) URL (missing http:// or https://): "a.test" (and 1 more bad line)',
      ),
    );
  });

  test("counts lines after CRLF endings in errors", () => {
    expect(() => parseTargets("http://a.test/\r\n\r\nb.test\r\n", "urls.txt")).toThrow(
      inputError('urls.txt:3: not an http(s) URL (missing http:// or https://): "b.test"'),
    );
  });

  test("rejects an empty list", () => {
    expect(() => parseTargets("", "urls.txt")).toThrow(
      inputError("urls.txt: no URLs in the list (blank lines and # comments are skipped)"),
    );
  });

  test("rejects a list of blank lines", () => {
    expect(() => parseTargets("\n  \r\n\t\n", "urls.txt")).toThrow(
      inputError("urls.txt: no URLs in the list (blank lines and # comments are skipped)"),
    );
  });

  test("rejects a list of comments only", () => {
    expect(() => parseTargets("# one\n  # two\n", "urls.txt")).toThrow(
      inputError("urls.txt: no URLs in the list (blank lines and # comments are skipped)"),
    );
  });

  test("throws an InputError, which is a UsageError", () => {
    expect(() => parseTargets("x", "urls.txt")).toThrowError(InputError);
    expect(() => parseTargets("x", "urls.txt")).toThrowError(UsageError);
  });

  test("error messages are one line", () => {
    try {
      parseTargets("http://a.test/\n\nhttp://a.test/\u2028x\r\n", "a\nb.txt");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/[\n\r\u2028\u2029]/);
    }
  });

  test("parses 100,000 lines quickly", () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `http://h${i % 50}.test/p/${i}`).join(
      "\n",
    );
    const start = performance.now();
    const targets = parseTargets(text, "urls.txt");
    expect(targets).toHaveLength(100_000);
    expect(targets.at(-1)).toEqual({
      index: 99_999,
      line: 100_000,
      url: "http://h49.test/p/99999",
    });
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe("parseUrlArguments and looksLikeUrl", () => {
  test("numbers URL arguments from 1 and trims them", () => {
    expect(parseUrlArguments([" http://a.test/ ", "https://b.test/x"])).toEqual([
      { index: 0, line: 1, url: "http://a.test/" },
      { index: 1, line: 2, url: "https://b.test/x" },
    ]);
  });

  test("names the first bad argument by its position", () => {
    expect(() => parseUrlArguments(["http://a.test/", "ftp://b.test/", "x"])).toThrow(
      inputError('argument 2: not an http(s) URL: "ftp://b.test/"'),
    );
  });

  test("takes an argument with a scheme and // for a URL, anything else for a file", () => {
    expect(looksLikeUrl("http://a.test/")).toBe(true);
    expect(looksLikeUrl("  HTTPS://a.test/ ")).toBe(true);
    // Checked as a URL, and rejected as one, rather than read as a file.
    expect(looksLikeUrl("ftp://a.test/")).toBe(true);
    expect(looksLikeUrl("web+x2.y-z://a")).toBe(true);
    expect(looksLikeUrl("urls.txt")).toBe(false);
    expect(looksLikeUrl("./lists/http://a.txt")).toBe(false);
    expect(looksLikeUrl("C:\\lists\\urls.txt")).toBe(false);
    expect(looksLikeUrl("2x://a")).toBe(false);
    expect(looksLikeUrl("a b://c")).toBe(false);
  });
});

describe("quoteInput", () => {
  test("quotes and escapes like JSON", () => {
    expect(quoteInput('a"b\\c\nd\te')).toBe('"a\\"b\\\\c\\nd\\te"');
  });

  test("escapes astral format characters as surrogate pairs", () => {
    expect(quoteInput("a\u{E0001}b")).toBe('"a\\udb40\\udc01b"');
  });

  test("escapes a lone surrogate", () => {
    expect(quoteInput("a\uD800b")).toBe('"a\\ud800b"');
  });

  test("keeps other non-ASCII text", () => {
    expect(quoteInput("héllo 日本 😀")).toBe('"héllo 日本 😀"');
  });

  test("cuts by characters, never inside a surrogate pair", () => {
    expect(quoteInput("😀".repeat(10), 4)).toBe('"😀😀😀…"');
  });
});

describe("escapeInvisible", () => {
  test("escapes control characters but leaves backslashes alone", () => {
    expect(escapeInvisible("C:\\lists\n.txt")).toBe("C:\\lists\\n.txt");
  });

  test("gives the short escapes JSON has, and \\u for the rest", () => {
    expect(escapeInvisible("a\bb\fc\rd\te\u0000f\u007fg")).toBe(
      "a\\bb\\fc\\rd\\te\\u0000f\\u007fg",
    );
  });

  test("escapes format, separator and surrogate characters, and leaves the rest", () => {
    // Zero-width space (Cf), line and paragraph separators (Zl, Zp), a lone surrogate (Cs).
    expect(escapeInvisible("a\u200bb\u2028c\u2029d\udc00e")).toBe(
      "a\\u200bb\\u2028c\\u2029d\\udc00e",
    );
    expect(escapeInvisible("plain text, é 😀")).toBe("plain text, é 😀");
  });
});

describe("readTargets", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fetchbench-targets-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("reads a file and reports its path as typed", async () => {
    const path = join(dir, "ok.txt");
    await writeFile(path, "# list\nhttp://a.test/\n");
    expect(await readTargets(path)).toEqual({
      source: path,
      targets: [{ index: 0, line: 2, url: "http://a.test/" }],
    });
  });

  test("names the file in a bad-line error", async () => {
    const path = join(dir, "bad.txt");
    await writeFile(path, "http://a.test/\nhtp:/x\n");
    await expect(readTargets(path)).rejects.toThrow(
      inputError(`${path}:2: not an http(s) URL: "htp:/x"`),
    );
  });

  test("names the file in an empty-list error", async () => {
    const path = join(dir, "empty.txt");
    await writeFile(path, "");
    await expect(readTargets(path)).rejects.toThrow(
      inputError(`${path}: no URLs in the list (blank lines and # comments are skipped)`),
    );
  });

  test("reports a missing file", async () => {
    const path = join(dir, "missing.txt");
    await expect(readTargets(path)).rejects.toThrow(inputError(`${path}: no such file`));
  });

  test("reports a missing file as an InputError", async () => {
    await expect(readTargets(join(dir, "missing.txt"))).rejects.toThrowError(InputError);
  });

  test("reports a path through a file as missing", async () => {
    const file = join(dir, "plain.txt");
    await writeFile(file, "http://a.test/\n");
    const path = join(file, "x");
    await expect(readTargets(path)).rejects.toThrow(inputError(`${path}: no such file`));
  });

  test("reports a directory", async () => {
    const path = join(dir, "folder");
    await mkdir(path);
    await expect(readTargets(path)).rejects.toThrow(
      inputError(`${path}: is a directory, expected a file of URLs`),
    );
  });

  test.skipIf(process.platform === "win32" || process.getuid?.() === 0)(
    "reports a file it may not read",
    async () => {
      const path = join(dir, "secret.txt");
      await writeFile(path, "http://a.test/\n");
      await chmod(path, 0o000);
      await expect(readTargets(path)).rejects.toThrow(inputError(`${path}: permission denied`));
    },
  );

  test("escapes control characters in the path", async () => {
    const path = join(dir, "new\nline.txt");
    await expect(readTargets(path)).rejects.toThrow(
      inputError(`${join(dir, "new\\nline.txt")}: no such file`),
    );
  });

  test("reports permission denied from the reader's error code", async () => {
    const stdin = async () => {
      throw Object.assign(new Error("permission denied"), { code: "EACCES" });
    };
    await expect(readTargets("-", stdin)).rejects.toThrow(inputError("<stdin>: permission denied"));
  });

  test("reads standard input for -", async () => {
    const stdin = async () => Buffer.from("http://a.test/\r\nhttp://b.test/\r\n");
    expect(await readTargets("-", stdin)).toEqual({
      source: "-",
      targets: [
        { index: 0, line: 1, url: "http://a.test/" },
        { index: 1, line: 2, url: "http://b.test/" },
      ],
    });
  });

  test("names standard input <stdin> in a bad-line error", async () => {
    const stdin = async () => Buffer.from("\nexample.com\n");
    await expect(readTargets("-", stdin)).rejects.toThrow(
      inputError('<stdin>:2: not an http(s) URL (missing http:// or https://): "example.com"'),
    );
  });

  test("names standard input <stdin> when it is empty", async () => {
    await expect(readTargets("-", async () => Buffer.alloc(0))).rejects.toThrow(
      inputError("<stdin>: no URLs in the list (blank lines and # comments are skipped)"),
    );
  });

  test("reports a failure to read standard input with its code", async () => {
    const stdin = async () => {
      throw Object.assign(new Error("resource temporarily unavailable"), { code: "EAGAIN" });
    };
    await expect(readTargets("-", stdin)).rejects.toThrow(
      inputError("<stdin>: cannot read (EAGAIN)"),
    );
  });

  test("reads a UTF-8 file with a BOM", async () => {
    const path = join(dir, "bom.txt");
    await writeFile(path, Buffer.from("\uFEFFhttp://a.test/é\n", "utf8"));
    expect((await readTargets(path)).targets).toEqual([
      { index: 0, line: 1, url: "http://a.test/é" },
    ]);
  });

  test("reports the line of the first invalid UTF-8 byte", async () => {
    const path = join(dir, "latin1.txt");
    const bytes = Buffer.concat([
      Buffer.from("http://a.test/\r\n# caf"),
      Buffer.from([0xe9]),
      Buffer.from("\nhttp://b.test/\n"),
    ]);
    await writeFile(path, bytes);
    await expect(readTargets(path)).rejects.toThrow(inputError(`${path}:2: not UTF-8 text`));
  });

  test("reports a sequence cut short at the end of a line", async () => {
    const stdin = async () =>
      Buffer.concat([
        Buffer.from("http://a.test/\r\r"),
        Buffer.from([0xe2, 0x82]),
        Buffer.from("\n"),
      ]);
    await expect(readTargets("-", stdin)).rejects.toThrow(inputError("<stdin>:3: not UTF-8 text"));
  });

  test("reports an overlong encoding as not UTF-8", async () => {
    const stdin = async () => Buffer.from([0x68, 0xc0, 0xaf]);
    await expect(readTargets("-", stdin)).rejects.toThrow(inputError("<stdin>:1: not UTF-8 text"));
  });

  test("recognises a UTF-16 file", async () => {
    const stdin = async () =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("http://a.test/\n", "utf16le")]);
    await expect(readTargets("-", stdin)).rejects.toThrow(
      inputError("<stdin>:1: not UTF-8 text (it looks like UTF-16; save the list as UTF-8)"),
    );
  });

  test("recognises big-endian UTF-16, and no other pair of bytes", async () => {
    const bigEndian = async () =>
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("\u0000h\u0000t\u00ff")]);
    await expect(readTargets("-", bigEndian)).rejects.toThrow(
      inputError("<stdin>:1: not UTF-8 text (it looks like UTF-16; save the list as UTF-8)"),
    );
    for (const start of [
      [0xff, 0xff],
      [0xfe, 0xfe],
      [0xfe, 0x80],
      [0x80, 0xfe],
    ]) {
      await expect(
        readTargets("-", async () => Buffer.from(start)),
        String(start),
      ).rejects.toThrow(inputError("<stdin>:1: not UTF-8 text"));
    }
  });

  test("counts CRLF as one line ending, and two LFs as two", async () => {
    const stdin = async () =>
      Buffer.concat([Buffer.from("http://a.test/\r\nhttp://b.test/\n\n"), Buffer.from([0xff])]);
    await expect(readTargets("-", stdin)).rejects.toThrow(inputError("<stdin>:4: not UTF-8 text"));
  });

  test("reports an invalid byte between LF line endings on its own line", async () => {
    const stdin = async () =>
      Buffer.concat([Buffer.from("\n"), Buffer.from([0xff]), Buffer.from("\nhttp://a.test/\n")]);
    await expect(readTargets("-", stdin)).rejects.toThrow(inputError("<stdin>:2: not UTF-8 text"));
  });

  test("says when a read failed without a code", async () => {
    const stdin = async () => {
      throw new Error("closed");
    };
    await expect(readTargets("-", stdin)).rejects.toThrow(
      inputError("<stdin>: cannot read (unknown error)"),
    );
  });

  test("reads a file of 100,000 URLs", async () => {
    const path = join(dir, "large.txt");
    const lines = Array.from({ length: 100_000 }, (_, i) => `https://a.test/${i}`);
    await writeFile(path, `${lines.join("\n")}\n`);
    const { targets } = await readTargets(path);
    expect(targets).toHaveLength(100_000);
    expect(targets[12_345]).toEqual({ index: 12_345, line: 12_346, url: "https://a.test/12345" });
  });
});
