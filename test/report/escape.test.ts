import { describe, expect, test } from "@jest/globals";
import { codeSpan, html, md, mermaidId, mermaidText, safeUrl, terminalText } from "../../src/report/review/escape.js";

describe("md: Markdown text, table cells, link text", () => {
  test.each([
    ["@everyone", "@&#8203;everyone"],
    ["ping @acme/secops now", "ping @&#8203;acme/secops now"],
    ["mail a@b.example", "mail a@&#8203;b.example"],
    ["<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"],
    ["<!-- tierguard:review -->", "\\<!-- tierguard:review --\\>"],
    ["a|b", "a\\|b"],
    ["`code`", "\\`code\\`"],
    ["**bold** _it_ ~~gone~~", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~"],
    ["[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"],
    ["line1\nline2\r\n# heading", "line1 line2 \\# heading"],
    ["fixes #123", "fixes \\#&#8203;123"],
    ["a & b &amp;", "a \\& b \\&amp;"],
    ["$x^2$", "\\$x^2\\$"],
    ["back\\slash", "back\\\\slash"],
    ["\u202eevil\u0007", "evil"],
    ["shop/web-frontend.v2", "shop/web-frontend.v2"],
  ])("%j -> %j", (input, output) => {
    expect(md(input)).toBe(output);
  });
});

describe("html: inside <summary>", () => {
  test.each([
    ['<b>"x" & y</b>', "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"],
    ["@team #1", "@&#8203;team #&#8203;1"],
    ["two\nlines", "two lines"],
  ])("%j -> %j", (input, output) => {
    expect(html(input)).toBe(output);
  });
});

describe("codeSpan", () => {
  test.each([
    ["spec.ingress[0]", {}, "`spec.ingress[0]`"],
    ["a`b", {}, "``a`b``"],
    ["`x`", {}, "`` `x` ``"],
    ["a``b`", {}, "``` a``b` ```"],
    ["a|b", { inTable: true }, "`a\\|b`"],
    ["a|b", {}, "`a|b`"],
    ["two\nlines", {}, "`two lines`"],
  ])("%j %j -> %j", (input, options, output) => {
    expect(codeSpan(input, options)).toBe(output);
  });
});

describe("Mermaid", () => {
  test("labels: every character that could end the label or start markup is an entity", () => {
    expect(mermaidText('a"b<c>#d;e|f`g@h&i\nj')).toBe("a#quot;b#lt;c#gt;#35;d#59;e#124;f#96;g#64;h#amp;i j");
    expect(mermaidText("#quot;")).toBe("#35;quot#59;");
  });

  test.each([
    ["shop/front-end", "n_shop_front_end"],
    ["end", "n_end"],
    ["10.0.0.0/8", "n_10_0_0_0_8"],
    ["ns\u00e9/x", "n_ns__x"],
  ])("id of %j is %j", (input, output) => {
    expect(mermaidId(input)).toBe(output);
  });
});

describe("safeUrl", () => {
  test.each([
    ["https://github.com/a/b/blob/c/p.yaml#L3", "https://github.com/a/b/blob/c/p.yaml#L3"],
    ["https://x.test/a b", "https://x.test/a%20b"],
    ["https://x.test/(a)<b>", "https://x.test/%28a%29%3Cb%3E"],
    ["HTTP://X.TEST", "HTTP://X.TEST"],
    ["javascript:alert(1)", undefined],
    ["data:text/html,x", undefined],
    ["/relative", undefined],
    [undefined, undefined],
  ])("%j -> %j", (input, output) => {
    expect(safeUrl(input)).toBe(output);
  });
});

test("terminalText removes control characters and joins lines", () => {
  expect(terminalText("a\u001b[31mred\u001b[0m\nb\u009b")).toBe("a[31mred[0m b");
});
