// Evaluates GitHub Actions expressions with GitHub's own parser and evaluator
// (@actions/expressions), for the workflow run tests (tests/workflow_harness.py).
//
// One request per line on stdin, one answer per line on stdout:
//   {"expr": "github.ref == 'refs/heads/main'", "contexts": {"github": {...}},
//    "status": {"success": true, "failure": false, "cancelled": false}}
//   -> {"value": true, "truthy": true}   or   {"error": "..."}
// Only the contexts given are known to the parser: an expression that names
// any other context is an error, as it is on GitHub where that context is not
// available. success(), failure(), always() and cancelled() answer from "status".
import { createInterface } from "node:readline";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";

const STATUS_FUNCTIONS = ["success", "failure", "always", "cancelled"];

function evaluate(request) {
  const contexts = request.contexts || {};
  const status = request.status || { success: true, failure: false, cancelled: false };
  const answers = { success: status.success, failure: status.failure, always: true, cancelled: status.cancelled };
  const functions = STATUS_FUNCTIONS.map((name) => ({
    name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(Boolean(answers[name])),
  }));
  const lexed = new Lexer(request.expr).lex();
  const tree = new Parser(lexed.tokens, Object.keys(contexts), functions).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver);
  const result = new Evaluator(tree, context, new Map(functions.map((f) => [f.name, f]))).evaluate();
  return { value: JSON.parse(JSON.stringify(result, data.replacer) ?? "null"), truthy: truthy(result) };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = evaluate(JSON.parse(line));
  } catch (error) {
    answer = { error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
