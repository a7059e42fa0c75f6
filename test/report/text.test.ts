import { describe, expect, it } from "vitest";
import { escapeHtml, sanitize } from "../../src/report/text.js";

describe("escapeHtml", () => {
  it("escapes what could open a tag, end an attribute or start an entity", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;",
    );
  });

  it("leaves other text, URLs included, as it is", () => {
    expect(escapeHtml("http://127.0.0.1:8080/delay/100?a=1;b=2 · ünï")).toBe(
      "http://127.0.0.1:8080/delay/100?a=1;b=2 · ünï",
    );
  });

  it("escapes an entity that is already there, so it shows as typed", () => {
    expect(escapeHtml("&lt;")).toBe("&amp;lt;");
  });

  it("composes with sanitize for text a server sent", () => {
    expect(escapeHtml(sanitize("<b>\u001b[31m\n"))).toBe("&lt;b&gt;\uFFFD[31m ");
  });
});
