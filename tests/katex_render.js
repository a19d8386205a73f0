// Render LaTeX strings with KaTeX, the way a web page would show them.
//
//   node tests/katex_render.js /path/to/node_modules/katex  < strings.json
//
// stdin: a JSON list of strings.  stdout: a JSON list of the same length, each
// entry null (rendered) or KaTeX's error message.  Options: displayMode, and
// throwOnError so that a bad string is an error, not red text on the page.
// strict: "error" as well, so that KaTeX's warnings about non-standard LaTeX
// count as failures too.
"use strict";
const katex = require(process.argv[2] || process.env.SYMDIFF_KATEX);

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((s) => {
    try {
      katex.renderToString(s, { throwOnError: true, displayMode: true, strict: "error" });
      return null;
    } catch (error) {
      return String(error.message || error);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
